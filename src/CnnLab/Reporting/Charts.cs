using ScottPlot;

namespace CnnLab.Reporting;

/// <summary>PNG charts with ScottPlot 5: per-epoch curves and a confusion-matrix heatmap, in a sans font that exists.</summary>
public static class Charts
{
    private const string Font = "DejaVu Sans";

    /// <summary>
    /// One line per series over epochs 1..n; dashed when the name contains "val". With <paramref name="trainValPairs"/>
    /// the series come as (train, val) pairs that share a colour.
    /// </summary>
    public static byte[] Curves(string title, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, bool trainValPairs = false,
        int width = 900, int height = 500)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var (name, values) = series[i];
            var xs = Enumerable.Range(1, values.Count).Select(e => (double)e).ToArray();
            var line = plot.Add.Scatter(xs, values.ToArray());
            line.LegendText = name;
            line.Color = palette.GetColor((trainValPairs ? i / 2 : i) % 10);
            line.LinePattern = name.Contains("val", StringComparison.OrdinalIgnoreCase) ? LinePattern.Dashed : LinePattern.Solid;
            line.MarkerSize = 4;
        }
        Style(plot, title, "epoch", yLabel);
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Counts of true class (rows) against predicted class (columns).</summary>
    public static byte[] ConfusionHeatmap(string title, long[][] matrix, IReadOnlyList<string> classNames, int size = 700)
    {
        var n = matrix.Length;
        var values = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                values[i, j] = matrix[i][j];
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var text = plot.Add.Text(matrix[i][j].ToString(System.Globalization.CultureInfo.InvariantCulture), j, n - 1 - i);
                text.LabelFontName = Font;
                text.LabelFontSize = 10;
                text.LabelFontColor = matrix[i][j] > matrix[i].Max() / 2 ? Colors.Black : Colors.White;
                text.LabelAlignment = Alignment.MiddleCenter;
            }
        }
        var ticks = Enumerable.Range(0, n).Select(i => new Tick(i, classNames[i])).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(i => new Tick(n - 1 - i, classNames[i])).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        Style(plot, title, "predicted", "true");
        return plot.GetImageBytes(size, size, ImageFormat.Png);
    }

    private static void Style(Plot plot, string title, string x, string y)
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
