using ScottPlot;

namespace CnnLab.Studies.Reporting;

/// <summary>PNG charts with ScottPlot 5: per-epoch curves and a confusion-matrix heatmap, in a sans font that exists.</summary>
public static class Charts
{
    internal const string Font = "DejaVu Sans";

    /// <summary>
    /// One line per series over epochs 1..n; dashed when the name contains "val". With <paramref name="trainValPairs"/>
    /// the series come as (train, val) pairs that share a colour. <paramref name="spreads"/>, where given, are each
    /// series' standard deviation over seeds per epoch, drawn as a translucent band (mean ± std) under its line. Ticks
    /// on whole epochs; the legend sits right of the plot, never over the curves.
    /// </summary>
    public static byte[] Curves(string title, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series,
        bool trainValPairs = false,
        int width = 1000, int height = 500, IReadOnlyList<IReadOnlyList<double>?>? spreads = null)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var (name, values) = series[i];
            var xs = Enumerable.Range(1, values.Count).Select(e => (double)e).ToArray();
            var color = palette.GetColor((trainValPairs ? i / 2 : i) % 10);
            if (spreads is not null && i < spreads.Count && spreads[i] is { } spread && spread.Count == values.Count
                && spread.Any(v => v > 0))
            {
                var band = plot.Add.FillY(xs, values.Select((v, e) => v - spread[e]).ToArray(),
                    values.Select((v, e) => v + spread[e]).ToArray());
                band.FillStyle.Color = color.WithAlpha(0.15);
                band.LineStyle.Width = 0;
            }
            var line = plot.Add.Scatter(xs, values.ToArray());
            line.LegendText = name;
            line.Color = color;
            line.LinePattern = name.Contains("val", StringComparison.OrdinalIgnoreCase) ? LinePattern.Dashed : LinePattern.Solid;
            line.MarkerSize = 4;
        }
        var epochs = series.Count == 0 ? 1 : series.Max(s => s.Values.Count);
        var step = Math.Max(1, (int)Math.Ceiling(epochs / 10.0));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(1, epochs).Where(e => e == 1 || e % step == 0).Select(e =>
                new Tick(e, e.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray());
        Style(plot, title, "epoch", yLabel);
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>
    /// The confusion matrix normalised per true class: each row's share of that class's test images (recall on the
    /// diagonal), in percent, on a 0-100% colour scale with its bar, class names on both axes.
    /// </summary>
    public static byte[] ConfusionHeatmap(string title, long[][] matrix, IReadOnlyList<string> classNames, int size = 760)
    {
        var n = matrix.Length;
        var values = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            var total = Math.Max(1, matrix[i].Sum());
            for (var j = 0; j < n; j++)
            {
                values[i, j] = 100.0 * matrix[i][j] / total;
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 100);
        var bar = plot.Add.ColorBar(heatmap);
        bar.Label = "% of the true class";
        bar.LabelStyle.FontName = Font;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var share = values[i, j];
                var text = plot.Add.Text(share >= 0.05
                    ? share.ToString(share >= 10 ? "F0" : "F1", System.Globalization.CultureInfo.InvariantCulture) : "", j, n - 1 - i);
                text.LabelFontName = Font;
                text.LabelFontSize = 11;
                // Viridis is light at the top of the scale: dark text there, light text on the dark cells.
                text.LabelFontColor = share > 60 ? Colors.Black : Colors.White;
                text.LabelAlignment = Alignment.MiddleCenter;
            }
        }
        var ticks = Enumerable.Range(0, n).Select(i => new Tick(i, classNames[i])).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(i => new Tick(n - 1 - i, classNames[i])).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperRight;
        // Room under the plot for the slanted class names, so they neither get cut nor cover the axis label.
        plot.Axes.Bottom.MinimumSize = 120;
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        Style(plot, title, "predicted", "true");
        return plot.GetImageBytes(size + 120, size, ImageFormat.Png);
    }

    /// <summary>Title, axis labels and the one font every chart uses.</summary>
    internal static void Style(Plot plot, string title, string x, string y)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.Axes.Title.Label.FontName = Font;
        plot.Axes.Bottom.Label.FontName = Font;
        plot.Axes.Left.Label.FontName = Font;
        plot.Axes.Bottom.TickLabelStyle.FontName = Font;
        plot.Axes.Left.TickLabelStyle.FontName = Font;
        plot.Legend.FontName = Font;
    }
}
