using System.Globalization;
using System.Net;
using System.Text;

namespace CnnLab.Dashboard;

/// <summary>
/// A per-epoch line chart as SVG, drawn on the server: the page needs no charting script, and the chart is the same
/// bytes for the same epochs. One polyline per series with a dot per epoch, the y axis fitted to the values.
/// </summary>
public static class CurveSvg
{
    private static readonly string[] Colors = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f" };

    /// <summary>The chart of <paramref name="series"/> (values per epoch, from epoch 1) over <paramref name="epochs"/> epochs.</summary>
    public static string Draw(string title, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, int epochs,
        int width = 640, int height = 300)
    {
        ArgumentNullException.ThrowIfNull(series);
        const int left = 50, right = 160, top = 28, bottom = 32;
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        var (low, high) = finite.Count == 0 ? (0.0, 1.0) : (finite.Min(), finite.Max());
        if (high - low < 1e-6)
        {
            (low, high) = (low - 0.01, high + 0.01);
        }
        var span = Math.Max(1, epochs - 1);
        string X(int epoch) => F(left + (width - left - right) * (epoch - 1) / (double)span);
        string Y(double value) => F(top + (height - top - bottom) * (1 - (value - low) / (high - low)));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" ");
        svg.Append("font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"16\" font-size=\"13\">{WebUtility.HtmlEncode(title)}</text>");
        for (var i = 0; i <= 4; i++)
        {
            var value = low + (high - low) * i / 4;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(value)}\" y2=\"{Y(value)}\" stroke=\"#e5e5e5\"/>" +
                $"<text x=\"{left - 6}\" y=\"{Y(value)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{value:0.000}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture,
            $"<text x=\"{(width - right + left) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">epoch (1 to {epochs})</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var (name, values) = series[s];
            var color = Colors[s % Colors.Length];
            var dashed = name.Contains("val", StringComparison.Ordinal) ? " stroke-dasharray=\"5 3\"" : "";
            var points = values.Select((v, e) => (v, e)).Where(p => double.IsFinite(p.v)).ToList();
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-name=\"{WebUtility.HtmlEncode(name)}\" " +
                $"data-points=\"{points.Count}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dashed} points=\"");
            svg.Append(string.Join(" ", points.Select(p => $"{X(p.e + 1)},{Y(p.v)}"))).Append("\"/>");
            foreach (var (v, e) in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(e + 1)}\" cy=\"{Y(v)}\" r=\"2.5\" fill=\"{color}\"/>");
            }
            var legendY = top + 16 * s;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{width - right + 10}\" x2=\"{width - right + 30}\" y1=\"{legendY}\" y2=\"{legendY}\" stroke=\"{color}\" " +
                $"stroke-width=\"2\"{dashed}/><text x=\"{width - right + 36}\" y=\"{legendY}\" dominant-baseline=\"middle\">" +
                $"{WebUtility.HtmlEncode(name.Length > 22 ? name[..22] + "..." : name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
