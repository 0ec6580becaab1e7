using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CnnLab.Models;

namespace CnnLab.Cli.Commands;

/// <summary><c>cnnlab predict MODEL FILE...</c>: the most probable classes of PNG / JPEG images or the images of an IDX file.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var modelPath = CommonOptions.ModelFile();
        var files = new Argument<string[]>("FILE") { Description = "PNG or JPEG images of any size (converted to the model's channels " +
            "and resized to its input), or IDX image files.", Arity = ArgumentArity.OneOrMore };
        var topK = CommonOptions.Integer("--top-k", "How many classes to show per image, most probable first.", 3);
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var threads = CommonOptions.Threads();
        var augmentation = CommonOptions.TestTimeAugmentation();
        var engine = CommonOptions.Engine();
        var command = new Command("predict",
            "Classify image files with a saved model: the top-k classes and their probabilities for each image.")
        {
            modelPath, files, topK, json, augmentation, engine, threads,
        };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var path = parse.GetValue(modelPath)!;
            using var model = ModelOpener.Open(path, parse.GetValue(engine)!, parse.GetValue(threads));
            var predictions = ImagePredictor.Predict(model, parse.GetValue(files)!, parse.GetValue(topK),
                CommonOptions.TestTimeAugmentationOf(parse.GetValue(augmentation)!), path);
            Console.Write(parse.GetValue(json) ? ToJson(predictions) : ToTable(predictions));
            return 0;
        }));
        return command;
    }

    private static string ToJson(IReadOnlyList<ImagePrediction> predictions) => JsonSerializer.Serialize(
        predictions.Select(p => new
        {
            file = p.File,
            index = p.Index,
            top = p.Top.Select(s => new { label = s.Index, @class = s.Name, probability = s.Probability }),
        }),
        new JsonSerializerOptions { WriteIndented = true,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }) + "\n";

    private static string ToTable(IReadOnlyList<ImagePrediction> predictions)
    {
        var rows = predictions.SelectMany(p => p.Top.Select((s, rank) => (
            Image: rank == 0 ? (p.Index is int i ? $"{p.File}[{i}]" : p.File) : "",
            Rank: (rank + 1).ToString(CultureInfo.InvariantCulture),
            s.Name,
            Probability: s.Probability.ToString("F4", CultureInfo.InvariantCulture)))).ToList();
        var imageWidth = Math.Max("image".Length, rows.Max(r => r.Image.Length));
        var classWidth = Math.Max("class".Length, rows.Max(r => r.Name.Length));
        var text = new StringBuilder();
        text.AppendLine($"{"image".PadRight(imageWidth)}  #  {"class".PadRight(classWidth)}  probability");
        foreach (var row in rows)
        {
            text.AppendLine($"{row.Image.PadRight(imageWidth)}  {row.Rank}  {row.Name.PadRight(classWidth)}  {row.Probability,11}");
        }
        return text.ToString();
    }
}
