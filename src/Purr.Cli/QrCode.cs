using QRCoder;

namespace Purr.Cli;

/// <summary>Renders text as a QR code of Unicode half blocks for the terminal.</summary>
internal static class QrCode
{
    public static string Render(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var code = new AsciiQRCode(data);
        return code.GetGraphicSmall();
    }
}
