using System.Text.Json;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Export;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Models.Saving;
using CnnLab.OnnxRuntime;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Layers;

/// <summary>
/// Every layer CnnLab has goes through the one registry: a config round trip, save and load inside a model, the
/// PyTorch export, the ONNX export run in ONNX Runtime and, where Keras has the layer, Keras import. Each layer's example
/// is its Keras file from tests/fixtures/keras/make_keras_models.py (one row of its table); a new layer without one, or
/// without <c>FromConfig</c>, fails the first test.
/// </summary>
public sealed class LayerRegistryTests : IDisposable
{
    /// <summary>
    /// The example of a layer Keras does not have (RandomErasing is torchvision's: a probability, one rectangle); every
    /// other layer's example is its row in tests/fixtures/keras/make_keras_models.py, read from the file it wrote.
    /// </summary>
    private static readonly Dictionary<string, string> NotInKeras = new()
    {
        ["RandomErasing"] = """{"probability": 0.3}""",
    };

    private static readonly string KerasLayers = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "layers");

    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-registry-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    public static TheoryData<string> ClassNames() => new(LayerRegistry.ClassNames);

    [Fact]
    public void Every_layer_type_is_registered_and_has_an_example_here()
    {
        Assert.Equal(LayerRegistry.LayerTypes.Select(t => t.Name).Order(StringComparer.Ordinal), LayerRegistry.ClassNames);
        Assert.Equal(LayerRegistry.ClassNames.Except(NotInKeras.Keys),
            Directory.GetFiles(KerasLayers, "*.h5").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string> KerasClassNames() => new(LayerRegistry.ClassNames.Except(NotInKeras.Keys));

    /// <summary>Keras 3 stores weights by position, not by name: every layer class with weights has a .keras file too.</summary>
    [Fact]
    public void Every_Keras_layer_with_weights_has_a_Keras_3_file()
    {
        var withWeights = LayerRegistry.ClassNames.Except(NotInKeras.Keys).Where(c =>
        {
            using var model = ExampleModel(c);
            var layer = model.Layers.First(l => l.GetType().Name == c);
            return layer.parameters().Any() || layer.buffers().Any();
        });

        var files = Directory.GetFiles(KerasLayers, "*.keras").Select(f => Path.GetFileNameWithoutExtension(f)!);

        Assert.Empty(withWeights.Except(files));
        Assert.Contains("SeparableConv2D", files);
    }

    public static TheoryData<string> KerasFiles() =>
        new(Directory.GetFiles(KerasLayers,
            "*.h5").Concat(Directory.GetFiles(KerasLayers, "*.keras")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    /// <summary>
    /// Each file holds Input(8, 8, 2), the layer as Keras 2.15 writes its config (settings off their defaults), then
    /// Flatten and Dense(2, softmax), in Keras 2's .h5 layout and, for layers with weights, Keras 3's .keras one; the
    /// expected outputs come from the script's numpy forward pass, channels-last.
    /// </summary>
    [Theory]
    [MemberData(nameof(KerasFiles))]
    public void Each_layer_imported_from_a_file_in_Keras_layout_agrees_with_the_fixtures_numpy_pass(string file)
    {
        var className = Path.GetFileNameWithoutExtension(file);
        using var model = KerasModelFile.LoadAny(Path.Combine(KerasLayers, file));
        using var expectedFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(KerasLayers, "expected.json")));
        var inputs = expectedFile.RootElement.GetProperty("inputs");
        var pixels = inputs.EnumerateArray().SelectMany(n => n.EnumerateArray()).SelectMany(r => r.EnumerateArray())
            .SelectMany(c => c.EnumerateArray()).Select(v => v.GetSingle()).ToArray();
        using var x = tensor(pixels, [inputs.GetArrayLength(), 8, 8, 2]).permute(0, 3, 1, 2).contiguous();
        var expected = expectedFile.RootElement.GetProperty(className).EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v =>
            v.GetDouble()).ToArray();

        var outputs = TestSupport.ToArray(model.Predict(x));

        Assert.Contains(model.Layers, l => l.GetType().Name == className);
        Assert.Equal(expected.Length, outputs.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - outputs[i]) < 1e-5, $"{className}, output {i}: Keras {expected[i]}, CnnLab {outputs[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(ClassNames))]
    public void Config_round_trip_save_and_load_and_PyTorch_export(string className)
    {
        using var layer = LayerRegistry.Create(className, ExampleConfig(className), "the example", strict: true);
        var config = layer.GetConfig().ToJsonString();
        using var again = LayerRegistry.Create(className, JsonNode.Parse(config)!.AsObject(), "the round trip", strict: true);
        Assert.Equal(config, again.GetConfig().ToJsonString());

        using var model = ExampleModel(className);
        var path = Path.Combine(_folder, $"{className}.safetensors");
        model.Save(path);
        using var loaded = KerasModel.Load(path);
        using var x = rand(3, 2, 8, 8, generator: new TorchSharp.torch.Generator(7));

        Assert.Equal(model.ToJson(), loaded.ToJson());
        Assert.Equal(TestSupport.ToArray(model.Predict(x)), TestSupport.ToArray(loaded.Predict(x)));
        var (code, state) = PyTorchExport.Translate(model);
        Assert.Contains("nn.Sequential(", code);
        // Every CnnLab weight has its PyTorch tensor (BatchNorm adds num_batches_tracked).
        Assert.InRange(state.Count, model.parameters().Count() + model.buffers().Count(),
            model.parameters().Count() + 2 * model.buffers().Count());
    }

    /// <summary>
    /// The layer exported to ONNX and run by ONNX Runtime computes what CnnLab computes, to 1e-5, with a batch size
    /// other than the one it was exported with (the batch dimension is dynamic).
    /// </summary>
    [Theory]
    [MemberData(nameof(ClassNames))]
    public void Onnx_export_runs_in_OnnxRuntime_as_CnnLab_computes(string className)
    {
        using var model = ExampleModel(className);
        TestSupport.MoveStatistics(model);
        using var x = rand(5, 2, 8, 8, generator: new TorchSharp.torch.Generator(11)).mul_(4).sub_(1);
        var bytes = OnnxExport.ToBytes(model);
        using var onnx = OnnxClassifier.FromBytes(bytes, className, threads: 1);
        var expected = TestSupport.ToArray(model.Predict(x));
        // tests/interop/run.sh runs Debian's onnx checker on these, and PyTorch on the same model's export.
        if (Environment.GetEnvironmentVariable("CNNLAB_INTEROP_DIR") is { Length: > 0 } interop)
        {
            var folder = Directory.CreateDirectory(Path.Combine(interop, "layers")).FullName;
            File.WriteAllBytes(Path.Combine(folder, className + ".onnx"), bytes);
            PyTorchExport.Export(model, folder, className);
            File.WriteAllText(Path.Combine(folder, className + ".json"),
                JsonSerializer.Serialize(new { shape = x.shape, inputs = TestSupport.ToArray(x), outputs = expected }));
        }

        var actual = TestSupport.ToArray(onnx.Predict(x, 5, TestTimeAugmentation.None));

        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) < 1e-5),
            $"{className}: max |CnnLab - ONNX Runtime| = {expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second))}");
    }

    /// <summary>
    /// Input (8, 8, 2), the layer's example, then Flatten (for an image) and Dense(2, softmax): the Keras file, or for a
    /// layer Keras does not have, the same chain with seeded weights. A merge layer joins the input and a Conv2D of it
    /// (a functional model).
    /// </summary>
    private static KerasModel ExampleModel(string className)
    {
        if (!NotInKeras.TryGetValue(className, out var config))
        {
            return KerasModelFile.LoadAny(Path.Combine(KerasLayers, className + ".h5"));
        }
        var model = new Sequential(Shape.Image(8, 8, 2), seed: 1);
        model.Add(LayerRegistry.Create(className, JsonNode.Parse(config)!.AsObject(), "the example", strict: true));
        if (model.OutputShape!.Rank == 3)
        {
            model.Add(new Flatten());
        }
        model.Add(new Dense(2, activation: "softmax"));
        return model;
    }

    /// <summary>The example layer's config as CnnLab writes it.</summary>
    private static JsonObject ExampleConfig(string className)
    {
        using var model = ExampleModel(className);
        return model.Layers.First(l => l.GetType().Name == className).GetConfig();
    }

    [Theory]
    [InlineData("conv2d", "Conv2D")]
    [InlineData("max_pooling2d", "MaxPooling2D")]
    [InlineData("batch_normalization", "BatchNormalization")]
    [InlineData("leaky_re_lu", "LeakyReLU")]
    [InlineData("re_lu", "ReLU")]
    [InlineData("dense", "Dense")]
    [InlineData("Dense", "Dense")]
    public void Keras_snake_case_and_class_names_both_resolve(string name, string className) =>
        Assert.Equal(className, LayerRegistry.ClassName(name));

    [Fact]
    public void An_unknown_key_names_the_keys_allowed()
    {
        var message = Assert.Throws<InvalidDataException>(() =>
            LayerRegistry.Create("dense", JsonNode.Parse("""{"units": 4, "unit": 3}""")!.AsObject(), "study.yaml, line 7: layer 3",
                strict: true)).Message;

        Assert.Equal("study.yaml, line 7: layer 3 (Dense): unknown key \"unit\"; allowed: activation, kernel_regularizer, name, " +
            "units, use_bias.", message);
    }

    [Fact]
    public void Keras_defaults_fill_absent_keys_and_a_single_number_is_a_square_size()
    {
        using var conv = (Conv2D)LayerRegistry.Create("conv2d", JsonNode.Parse("""{"filters": 8, "kernel_size": 3}""")!.AsObject(), "here",
            strict: true);

        Assert.Equal((new Size2(3, 3), new Size2(1, 1), Padding.Valid, true, null),
            (conv.KernelSize, conv.Strides, conv.Padding, conv.UseBias, conv.ActivationName));
    }

    [Fact]
    public void An_unknown_layer_lists_the_layers()
    {
        var message =
            Assert.Throws<InvalidDataException>(() => LayerRegistry.Create("lstm", new JsonObject(), "layer 2", strict: true)).Message;

        Assert.StartsWith("layer 2: CnnLab has no layer \"lstm\". Layers: activation, add, average, average_pooling2d, " +
            "batch_normalization, concatenate, conv2d, dense,", message);
    }
}
