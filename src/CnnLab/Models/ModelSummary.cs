using System.Globalization;
using System.Text;

namespace CnnLab.Models;

/// <summary>Keras 2's summary table: "Layer (type)", "Output Shape", "Param #", then the totals with thousands separators.</summary>
internal static class ModelSummary
{
    public static string Format(Sequential model)
    {
        var rows = model.Layers
            .Select(l => (Name: $"{l.Name} ({l.TypeName})", Shape: l.OutputShape?.ToString() ?? "(unbuilt)",
                Params: Count(l.TrainableParamCount + l.NonTrainableParamCount)))
            .ToList();
        var nameWidth = Math.Max(29, rows.Select(r => r.Name.Length + 2).DefaultIfEmpty(0).Max());
        var shapeWidth = Math.Max(26, rows.Select(r => r.Shape.Length + 2).DefaultIfEmpty(0).Max());
        const int paramWidth = 10;
        var lineLength = 1 + nameWidth + shapeWidth + paramWidth;

        var text = new StringBuilder();
        text.AppendLine($"Model: \"{model.ModelName}\"");
        text.AppendLine(new string('_', lineLength));
        text.AppendLine(Row("Layer (type)", "Output Shape", "Param #"));
        text.AppendLine(new string('=', lineLength));
        for (var i = 0; i < rows.Count; i++)
        {
            text.AppendLine(Row(rows[i].Name, rows[i].Shape, rows[i].Params));
            text.AppendLine(i < rows.Count - 1 ? new string(' ', lineLength).TrimEnd() : new string('=', lineLength));
        }
        if (rows.Count == 0)
        {
            text.AppendLine(new string('=', lineLength));
        }
        text.AppendLine($"Total params: {Count(model.ParamCount)}");
        text.AppendLine($"Trainable params: {Count(model.TrainableParamCount)}");
        text.AppendLine($"Non-trainable params: {Count(model.NonTrainableParamCount)}");
        text.Append(new string('_', lineLength));
        return text.ToString();

        string Row(string name, string shape, string parameters) =>
            (" " + name.PadRight(nameWidth) + shape.PadRight(shapeWidth) + parameters).TrimEnd();
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// Keras 2's summary of a functional model: the input layer's row first, then each layer with the layers it takes its
    /// inputs from ("Connected to", one per line, as <c>'conv2d[0][0]'</c>).
    /// </summary>
    public static string Format(Model model)
    {
        var rows = new List<(string Name, string Shape, string Params, IReadOnlyList<string> From)>
        {
            ($"{model.InputName} (InputLayer)", $"[{model.InputShape}]", "0", Array.Empty<string>()),
        };
        rows.AddRange(model.Layers.Zip(model.InboundNames).Select(p => ($"{p.First.Name} ({p.First.TypeName})",
            p.First.OutputShape!.ToString(), Count(p.First.TrainableParamCount + p.First.NonTrainableParamCount),
            (IReadOnlyList<string>)p.Second.Select(n => $"'{n}[0][0]'").ToList())));
        var nameWidth = Math.Max(31, rows.Max(r => r.Name.Length + 2));
        var shapeWidth = Math.Max(21, rows.Max(r => r.Shape.Length + 2));
        const int paramWidth = 12;
        var lineLength = Math.Max(98, 1 + nameWidth + shapeWidth + paramWidth + rows.SelectMany(r => r.From).Select(f => f.Length + 3)
            .DefaultIfEmpty(0).Max());
        var text = new StringBuilder();
        text.AppendLine($"Model: \"{model.ModelName}\"");
        text.AppendLine(new string('_', lineLength));
        text.AppendLine(Row("Layer (type)", "Output Shape", "Param #", "Connected to"));
        text.AppendLine(new string('=', lineLength));
        for (var i = 0; i < rows.Count; i++)
        {
            var (name, shape, parameters, from) = rows[i];
            var connected = from.Count == 0 ? "[]" : from.Count == 1 ? $"[{from[0]}]" : $"[{from[0]},";
            text.AppendLine(Row(name, shape, parameters, connected));
            for (var f = 1; f < from.Count; f++)
            {
                text.AppendLine(Row("", "", "", $" {from[f]}{(f == from.Count - 1 ? "]" : ",")}"));
            }
            text.AppendLine(i < rows.Count - 1 ? "" : new string('=', lineLength));
        }
        text.AppendLine($"Total params: {Count(model.ParamCount)}");
        text.AppendLine($"Trainable params: {Count(model.TrainableParamCount)}");
        text.AppendLine($"Non-trainable params: {Count(model.NonTrainableParamCount)}");
        text.Append(new string('_', lineLength));
        return text.ToString();

        string Row(string name, string shape, string parameters, string connected) =>
            (" " + name.PadRight(nameWidth) + shape.PadRight(shapeWidth) + parameters.PadRight(paramWidth) + connected).TrimEnd();
    }
}
