using CnnLab.Core;
using CnnLab.Data;
using CnnLab.Export;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.OnnxRuntime;
using CnnLab.Studies.Experiments;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Export;

/// <summary>
/// Models exported to ONNX run in ONNX Runtime (the real engine, from NuGet) and give CnnLab's outputs. Every layer kind
/// is checked in <see cref="Layers.LayerRegistryTests"/>; here the notebook's and the fast recipe's whole models, the
/// metadata, and files nobody here wrote (damaged, mutated, of another form). tests/interop/run.sh adds Fashion-MNIST
/// test images and Debian's onnx checker.
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-onnx-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    public static TheoryData<string> NotebookNames() => new(NotebookModels.Names);

    [Theory]
    [MemberData(nameof(NotebookNames))]
    public void The_notebook_models_run_in_OnnxRuntime_as_in_CnnLab(string name)
    {
        using var model = NotebookModels.Create(name, seed: 2);
        TestSupport.MoveStatistics(model);

        AssertSameOutputs(model, 64);
    }

    [Fact]
    public void The_fast_recipes_model_runs_in_OnnxRuntime_as_in_CnnLab()
    {
        var study = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", "fast.yaml"));
        foreach (var run in study.Runs)
        {
            using var model = RunRecipe.Model(run, Shape.Image(28, 28, 1), 10, seed: 3);
            TestSupport.MoveStatistics(model);
            AssertSameOutputs(model, 32);
        }
    }

    [Fact]
    public void A_trained_model_with_every_kind_of_layer_keeps_its_class_names_and_standardisation()
    {
        using var model = CnnLab.Tests.Models.Saving.ModelFileTests.TrainedModel();
        model.ClassNames = ["left \"bar\"", "right"];
        model.InputStandardization = Standardization.From([0.25f], [0.5f]);
        model.TrainingDataset = "bars";
        var path = Path.Combine(_folder, "everything.onnx");

        OnnxExport.Export(model, path);
        using var onnx = OnnxClassifier.Load(path, threads: 1);

        Assert.Equal((Shape.Image(12, 12, 1), 2, true, "bars"),
            (onnx.InputShape, onnx.ClassCount, onnx.OutputsProbabilities, onnx.TrainingDataset));
        Assert.Equal(["left \"bar\"", "right"], onnx.ClassNames);
        Assert.Equal([0.25f], onnx.InputStandardization!.Mean);
        Assert.Equal([0.5f], onnx.InputStandardization.Std);
        using var x = rand(7, 1, 12, 12, generator: new Generator(5));
        Close(TestSupport.ToArray(model.Predict(x, 32, TestTimeAugmentation.HorizontalFlip)),
            TestSupport.ToArray(onnx.Predict(x, 3, TestTimeAugmentation.HorizontalFlip)), model, x);
    }

    [Fact]
    public void A_model_without_softmax_says_its_outputs_are_scores()
    {
        using var model = new Sequential(Shape.Image(4, 4, 1), seed: 1);
        model.Add(new Flatten());
        model.Add(new Dense(3));

        using var onnx = OnnxClassifier.FromBytes(OnnxExport.ToBytes(model), "scores", threads: 1);

        Assert.False(onnx.OutputsProbabilities);
        Assert.Null(onnx.ClassNames);
    }

    [Fact]
    public void A_truncated_file_is_an_error_naming_it()
    {
        using var model = NotebookModels.Create("m2-leaky", seed: 1);
        var path = Path.Combine(_folder, "cut.onnx");
        var bytes = OnnxExport.ToBytes(model);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(path));

        Assert.StartsWith($"{path}: ONNX Runtime cannot load it: ", e.Message);
    }

    [Fact]
    public void A_graph_that_is_not_an_image_classifier_is_refused_saying_what_it_takes()
    {
        using var model = new Sequential(new Shape(6), seed: 1);
        model.Add(new Dense(3, activation: "softmax"));
        var bytes = OnnxExport.ToBytes(model);

        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.FromBytes(bytes, "vector.onnx"));

        Assert.Equal("vector.onnx: the input \"input\" is Float [-1, 6]; an image classifier takes float32 [batch, channels, height, " +
            "width] (or [batch, height, width] for one channel) with fixed channels, height and width.", e.Message);
    }

    [Fact]
    public void A_graph_declaring_fifty_million_classes_is_refused_before_any_output_is_allocated()
    {
        var bytes = FiftyMillionClasses();

        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.FromBytes(bytes, "wide.onnx"));

        Assert.Equal("wide.onnx: the output \"output\" declares 50,000,000 classes; an image classifier here has at most 1,000,000.",
            e.Message);
    }

    /// <summary>m2-leaky's 10 outputs tiled 5,000,000 times: ONNX Runtime infers [batch, 50,000,000] from the graph.</summary>
    internal static byte[] FiftyMillionClasses()
    {
        using var model = NotebookModels.Create("m2-leaky", seed: 1);
        var graph = Onnx.ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        graph.Graph.Node[^1].Output[0] = "scores";
        var repeats = new Onnx.TensorProto { Name = "repeats", DataType = (int)Onnx.TensorProto.Types.DataType.Int64 };
        repeats.Dims.Add(2);
        repeats.Int64Data.Add(new long[] { 1, 5_000_000 });
        graph.Graph.Initializer.Add(repeats);
        var tile = new Onnx.NodeProto { OpType = "Tile", Name = "tile" };
        tile.Input.Add(new[] { "scores", "repeats" });
        tile.Output.Add("output");
        graph.Graph.Node.Add(tile);
        graph.Graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue = 50_000_000;
        return Google.Protobuf.MessageExtensions.ToByteArray(graph);
    }

    /// <summary>The exported model with its first weight moved to <paramref name="location"/>, as onnx saves large models.</summary>
    private static byte[] WithExternalWeight(Sequential model, string folder, string location)
    {
        var graph = Onnx.ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(model));
        var weight = graph.Graph.Initializer.First(t => t.RawData.Length > 64);
        File.WriteAllBytes(Path.GetFullPath(Path.Combine(folder, location)), weight.RawData.ToByteArray());
        weight.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "location", Value = location });
        weight.ExternalData.Add(new Onnx.StringStringEntryProto { Key = "length", Value = weight.RawData.Length.ToString() });
        weight.DataLocation = Onnx.TensorProto.Types.DataLocation.External;
        weight.RawData = Google.Protobuf.ByteString.Empty;
        return Google.Protobuf.MessageExtensions.ToByteArray(graph);
    }

    [Fact]
    public void External_data_is_read_from_the_model_folder_not_the_working_directory()
    {
        using var model = NotebookModels.Create("m2-leaky", seed: 1);
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "external")).FullName;
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, WithExternalWeight(model, folder, "weights.bin"));
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "weights.bin")));
        using var x = rand(3, 1, 28, 28, generator: new Generator(2));

        using var onnx = OnnxClassifier.Load(path, threads: 1);

        var expected = TestSupport.ToArray(model.Predict(x));
        var actual = TestSupport.ToArray(onnx.Predict(x, 3));
        Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5));
    }

    [Fact]
    public void External_data_outside_the_model_folder_is_refused_naming_the_file()
    {
        using var model = NotebookModels.Create("m2-leaky", seed: 1);
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "inner")).FullName;
        var path = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(path, WithExternalWeight(model, folder, "../outside.bin"));

        var e = Assert.Throws<InvalidDataException>(() => OnnxClassifier.Load(path, threads: 1));

        Assert.StartsWith($"{path}: ONNX Runtime cannot load it: ", e.Message);
    }

    /// <summary>Bounded seeded mutations of a valid file: each outcome is a working classifier or an error naming the file.</summary>
    [Fact]
    public void Mutated_files_load_and_run_or_are_refused_naming_the_file()
    {
        using var model = NotebookModels.Create("m2-leaky", seed: 1);
        var original = OnnxExport.ToBytes(model);
        var random = new Random(17);
        using var x = rand(2, 1, 28, 28, generator: new Generator(1));
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var bytes = (byte[])original.Clone();
            switch (i % 3)
            {
                case 0:
                    for (var k = 0; k < 1 + random.Next(8); k++)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }
                    break;
                case 1:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                default:
                    // Mutations near the start hit the graph's structure rather than its weights.
                    for (var k = 0; k < 1 + random.Next(4); k++)
                    {
                        bytes[random.Next(Math.Min(bytes.Length, 2048))] ^= (byte)(1 << random.Next(8));
                    }
                    break;
            }
            try
            {
                using var onnx = OnnxClassifier.FromBytes(bytes, $"mutation {i}", threads: 1);
                using var y = onnx.Predict(x, 2, TestTimeAugmentation.None);
                outcomes["ran"] = outcomes.GetValueOrDefault("ran") + 1;
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                Assert.StartsWith($"mutation {i}", e.Message);
                outcomes["refused"] = outcomes.GetValueOrDefault("refused") + 1;
            }
        }
        Assert.True(outcomes.GetValueOrDefault("refused") > 50, string.Join(", ", outcomes));
    }

    private static void AssertSameOutputs(KerasModel model, int count)
    {
        using var onnx = OnnxClassifier.FromBytes(OnnxExport.ToBytes(model), model.ModelName, threads: 1);
        var input = model.InputShape!;
        using var x = rand(count, input.Channels, input.Height, input.Width, generator: new Generator(21));
        Close(TestSupport.ToArray(model.Predict(x)), TestSupport.ToArray(onnx.Predict(x, 25, TestTimeAugmentation.None)), model, x);
    }

    /// <summary>Within 1e-5, and the same top class wherever CnnLab's top two are further apart than that.</summary>
    private static void Close(float[] expected, float[] actual, KerasModel model, Tensor x)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < 1e-5, $"{model.ModelName}: max |CnnLab - ONNX Runtime| = {worst} over {x.shape[0]} images");
        var classes = model.OutputShape!.Channels;
        for (var i = 0; i < expected.Length / classes; i++)
        {
            var e = expected.Skip(i * classes).Take(classes).ToArray();
            var a = actual.Skip(i * classes).Take(classes).ToArray();
            var sorted = e.OrderDescending().ToArray();
            if (sorted[0] - sorted[1] > 1e-5)
            {
                Assert.Equal(Array.IndexOf(e, sorted[0]), Array.IndexOf(a, a.Max()));
            }
        }
    }
}
