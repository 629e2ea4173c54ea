using System.Globalization;
using System.Net;
using System.Text;

namespace Purr.Bench.Report;

/// <summary>Horizontal bar charts as standalone SVG: one bar per system, its value written beside it.</summary>
internal static class SvgChart
{
    private static readonly string[] Colours = ["#6c4fd1", "#9e9e9e", "#e08a2c", "#2c8ae0"];

    public static string Bars(string title, string unit, IReadOnlyList<(string Label, double Value)> bars)
    {
        const int width = 640;
        const int barHeight = 28;
        const int left = 130;
        const int top = 40;
        var height = top + (bars.Count * (barHeight + 12)) + 20;
        var max = bars.Select(b => double.IsFinite(b.Value) ? b.Value : 0).DefaultIfEmpty(1).Max();
        max = max <= 0 ? 1 : max;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' font-family='sans-serif' font-size='13'>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width='{width}' height='{height}' fill='white'/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x='10' y='22' font-size='15' font-weight='bold'>{WebUtility.HtmlEncode(title)}</text>");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var y = top + (i * (barHeight + 12));
            var length = double.IsFinite(value) ? Math.Max(1, value / max * (width - left - 150)) : 0;
            svg.Append(CultureInfo.InvariantCulture, $"<text x='10' y='{y + 19}'>{WebUtility.HtmlEncode(label)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x='{left}' y='{y}' width='{length:F1}' height='{barHeight}' fill='{Colours[i % Colours.Length]}'/>");
            var text = double.IsFinite(value) ? $"{Format(value)} {unit}" : "not measured";
            svg.Append(CultureInfo.InvariantCulture, $"<text x='{left + length + 8:F1}' y='{y + 19}'>{WebUtility.HtmlEncode(text)}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    public static string Format(double value) => value switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("F2", CultureInfo.InvariantCulture),
    };
}
