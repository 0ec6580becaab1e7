using CnnLab.Export;
using CnnLab.Models;
using CnnLab.OnnxRuntime;
using static TorchSharp.torch;

namespace CnnLab.Tests.Export;

/// <summary>
/// The ONNX reader with external data: seeded edits of a model whose weights live in a file beside it (the location
/// pointing outside the folder, at the model itself, at a directory or nowhere; offsets and lengths past the file or
/// negative; the data file truncated or grown). Each loads and runs, or is refused in one line naming the model; no
/// file outside the model's folder is read.
/// </summary>
public sealed class OnnxExternalDataFuzzTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-onnx-external-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void Edited_external_data_entries_load_and_run_or_are_refused_naming_the_model()
    {
        using var model = NotebookModels.Create("m2-leaky", seed: 1);
        var graph = Onnx.ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        var weights = graph.Graph.Initializer.Where(t => t.RawData.Length > 64).ToArray();
        var secret = Path.Combine(_folder, "secret.bin");
        File.WriteAllBytes(secret, weights[0].RawData.ToByteArray());
        var random = new Random(29);
        using var x = rand(2, 1, 28, 28, generator: new Generator(3));
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 60; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(_folder, $"m{i}")).FullName;
            var copy = graph.Clone();
            var name = weights[random.Next(weights.Length)].Name;
            var tensor = copy.Graph.Initializer.First(t => t.Name == name);
            var data = tensor.RawData.ToByteArray();
            var location = random.Next(8) switch
            {
                0 => "../secret.bin",
                1 => secret,
                2 => "model.onnx",
                3 => ".",
                4 => "missing.bin",
                5 => "sub/../weights.bin",
                _ => "weights.bin",
            };
            var offset = random.Next(4) == 0 ? random.Next(-8, data.Length * 2).ToString() : "0";
            var length = random.Next(4) switch
            {
                0 => (data.Length + random.Next(-4, 5)).ToString(),
                1 => long.MaxValue.ToString(),
                _ => data.Length.ToString(),
            };
            var stored = random.Next(5) switch
            {
                0 => data[..random.Next(data.Length)],
                1 => data.Concat(new byte[random.Next(1, 64)]).ToArray(),
                _ => data,
            };
            File.WriteAllBytes(Path.Combine(folder, "weights.bin"), stored);
            tensor.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "location", Value = location });
            tensor.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "offset", Value = offset });
            tensor.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "length", Value = length });
            tensor.DataLocation = Onnx.TensorProto.Types.DataLocation.External;
            tensor.RawData = Google.Protobuf.ByteString.Empty;
            var path = Path.Combine(folder, "model.onnx");
            File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(copy));
            try
            {
                using var onnx = OnnxClassifier.Load(path, threads: 1);
                using var y = onnx.Predict(x, 2);
                // Loaded: only from the model's own folder, never the secret outside it.
                Assert.DoesNotContain(location, new[] { "../secret.bin", secret });
                outcomes["ran"] = outcomes.GetValueOrDefault("ran") + 1;
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith($"{path}: ", e.Message);
                Assert.DoesNotContain("\n", e.Message);
                outcomes["refused"] = outcomes.GetValueOrDefault("refused") + 1;
            }
        }
        Assert.True(outcomes.GetValueOrDefault("ran") > 5 && outcomes.GetValueOrDefault("refused") > 20, string.Join(", ", outcomes));
    }
}
