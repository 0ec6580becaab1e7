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
}
