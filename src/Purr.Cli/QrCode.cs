using System.Text;
using QRCoder;

namespace Purr.Cli;

/// <summary>
/// Renders text as a QR code for the terminal: two modules per character cell (upper and lower half blocks),
/// light modules drawn as blocks (as qrencode's UTF8 mode does, for the usual dark terminal), error correction
/// L (a screen does not smudge) and a 2-module quiet zone. A classic card link fits in 80 columns; a post-quantum
/// card (its ML-KEM key is 1184 bytes) needs about 150, so a narrower terminal is told how wide to be.
/// </summary>
internal static class QrCode
{
    private const int QuietZone = 2;

    /// <summary>The same code as a PNG image (8 pixels per module, 4-module quiet zone), to show or send as a picture.</summary>
    public static void WritePng(string text, string path)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.L);
        using var png = new PngByteQRCode(data);
        File.WriteAllBytes(path, png.GetGraphic(8));
    }

    /// <summary>The columns <see cref="Render"/> takes for this text.</summary>
    public static int Columns(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.L);
        return data.ModuleMatrix.Count - (2 * (4 - QuietZone));
    }

    /// <summary>A line saying the code is wider than this terminal (and what to do), or nothing when it fits or the width is unknown.</summary>
    public static string WidthHint(string text)
    {
        var columns = Columns(text);
        int width;
        try
        {
            width = Console.IsOutputRedirected ? 0 : Console.WindowWidth;
        }
        catch (IOException)
        {
            width = 0;
        }

        return width <= 0 || columns <= width
            ? ""
            : $"\n(the QR code is {columns} columns wide and this terminal {width}: widen the window or make the font smaller, "
                + "write it as an image with --qr-file, or make a shorter card with --classic)";
    }

    public static string Render(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.L);
        // QRCoder's matrix carries a 4-module quiet zone; keep 2 of it.
        var matrix = data.ModuleMatrix;
        var trim = 4 - QuietZone;
        var size = matrix.Count - (2 * trim);
        bool Light(int row, int column) => row >= size || !matrix[row + trim][column + trim];
        var output = new StringBuilder();
        for (var row = 0; row < size; row += 2)
        {
            for (var column = 0; column < size; column++)
            {
                output.Append((Light(row, column), Light(row + 1, column)) switch
                {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    _ => ' ',
                });
            }

            output.Append('\n');
        }

        return output.ToString().TrimEnd('\n');
    }
}
