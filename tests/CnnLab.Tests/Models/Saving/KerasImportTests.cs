using System.Text.Json;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Models.Saving;
using static TorchSharp.torch;

namespace CnnLab.Tests.Models.Saving;

/// <summary>
/// Keras files (written in Keras' own layouts by tests/fixtures/keras/make_keras_models.py) open as CnnLab models that
/// compute what Keras computes: the fixture's outputs come from an independent numpy forward pass in channels-last order.
/// </summary>
public sealed class KerasImportTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras");
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-keras-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Theory]
    [InlineData("sequential.h5")]
    [InlineData("functional.h5")]
    [InlineData("sequential.keras")]
    public void A_file_in_Keras_layout_predicts_what_the_fixtures_numpy_pass_computes(string file)
    {
        using var model = KerasModelFile.Load(Path.Combine(Fixtures, file));
        var (inputs, expected) = Expected();

        var outputs = TestSupport.ToArray(model.Predict(inputs));

        Assert.Equal(new[] { "conv2d", "batch_normalization", "max_pooling2d", "conv2d_1", "leaky_re_lu", "flatten", "dense", "dropout",
            "dense_1" },
            model.Layers.Select(l => l.Name));
        Assert.Equal("(None, 8, 8, 1)", model.InputShape!.ToString());
        Assert.Equal(0.3, ((LeakyReLU)model.Layers[4]).Alpha);
        Assert.Equal(expected.Length, outputs.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - outputs[i]) < 1e-5, $"output {i}: Keras {expected[i]}, CnnLab {outputs[i]}");
        }
    }

    [Fact]
    public void Rescaling_zero_padding_depthwise_convolution_and_global_pooling_agree_with_the_fixtures_numpy_pass()
    {
        using var model = KerasModelFile.Load(Path.Combine(Fixtures, "more-layers.h5"));
        var (inputs, expected) = Expected("more-layers.json");

        var outputs = TestSupport.ToArray(model.Predict(inputs));

        Assert.Equal(new[] { "rescaling", "zero_padding2d", "depthwise_conv2d", "global_average_pooling2d", "dense_2" },
            model.Layers.Select(l => l.Name));
        Assert.Equal(expected.Length, outputs.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - outputs[i]) < 1e-5, $"output {i}: Keras {expected[i]}, CnnLab {outputs[i]}");
        }
    }

    /// <summary>
    /// Flatten then Dense(1), kernel 1, 10, 100, 1000, bias 0.5, on a 1 x 2 image of 2 channels whose pixels are (1, 2)
    /// and (3, 4): Keras flattens pixel by pixel, so the output is 1 + 20 + 300 + 4000 + 0.5 = 4321.5. Reading the
    /// kernel in CnnLab's channel-major order unchanged would give 1 + 30 + 200 + 4000 + 0.5 = 4231.5.
    /// </summary>
    [Fact]
    public void A_two_layer_model_computes_what_a_hand_calculation_gives()
    {
        using var model = KerasModelFile.Load(Path.Combine(Fixtures, "two-layers.h5"));
        // N x C x H x W: channel 0 holds 1 and 3, channel 1 holds 2 and 4.
        using var x = tensor(new float[] { 1, 3, 2, 4 }, [1, 2, 1, 2]);

        var output = TestSupport.ToArray(model.Predict(x));

        Assert.Equal(new[] { 4321.5f }, output);
    }

    [Fact]
    public void An_imported_model_saves_as_a_CnnLab_model_with_the_same_outputs()
    {
        using var model = KerasModelFile.Load(Path.Combine(Fixtures, "sequential.h5"));
        var path = Path.Combine(_folder, "imported.safetensors");
        model.Save(path);
        using var loaded = Sequential.Load(path);
        var (inputs, _) = Expected();

        Assert.Equal(TestSupport.ToArray(model.Predict(inputs)), TestSupport.ToArray(loaded.Predict(inputs)));
    }

    [Fact]
    public void A_layer_CnnLab_lacks_is_named_with_its_class_and_the_file()
    {
        var path = Edited("sequential.h5", config => config.Replace("\"class_name\": \"LeakyReLU\"", "\"class_name\": \"PReLU\""));

        var message = Assert.Throws<InvalidDataException>(() => KerasModelFile.Load(path)).Message;

        Assert.StartsWith($"{path}: layer 6 of 10 is a Keras PReLU (\"leaky_re_lu\"), which CnnLab does not have. " +
            $"CnnLab's layers: Activation,", message);
    }

    [Fact]
    public void A_setting_CnnLab_does_not_compute_is_refused()
    {
        var path = Edited("sequential.h5", config => config.Replace("\"dilation_rate\": [1, 1], \"groups\": 1, \"activation\": \"relu\"",
            "\"dilation_rate\": [2, 2], \"groups\": 1, \"activation\": \"relu\""));

        var message = Assert.Throws<InvalidDataException>(() => KerasModelFile.Load(path)).Message;

        Assert.Equal($"{path}: layer 2 of 10 (Conv2D \"conv2d\"): \"dilation_rate\" is [2,2]; CnnLab computes only a dilation rate of 1.",
            message);
    }

    [Fact]
    public void Booleans_written_as_1_and_0_read_as_Keras_reads_them()
    {
        // Keras 2.14 files hold "scale": 1 (mlcommons/tiny's str_ww_ref_model.h5); Python reads 1 as true, and so does CnnLab.
        var path = Edited("sequential.h5", config => config.Replace("\"center\": true, \"scale\": true", "\"center\": 1, \"scale\": 1",
            StringComparison.Ordinal));
        using var model = KerasModelFile.Load(path);
        var (inputs, expected) = Expected();

        var outputs = TestSupport.ToArray(model.Predict(inputs));

        Assert.True(((BatchNormalization)model.Layers[1]) is { Center: true, Scale: true });
        Assert.All(expected.Zip(outputs), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5));
    }

    [Fact]
    public void A_file_that_is_not_HDF5_is_one_clear_error()
    {
        var path = Path.Combine(_folder, "broken.h5");
        File.WriteAllBytes(path, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });

        var message = Assert.Throws<InvalidDataException>(() => KerasModelFile.Load(path)).Message;

        Assert.StartsWith($"{path}: not a readable Keras file (", message);
    }

    /// <summary>A copy of a fixture with its model_config edited (rewritten
    /// with h5py would need Python; the config is a JSON attribute).</summary>
    private string Edited(string fixture, Func<string, string> edit)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, fixture));
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        var start = text.IndexOf("{\"class_name\": \"Sequential\"", StringComparison.Ordinal);
        var end = text.IndexOf("]}}", start, StringComparison.Ordinal) + 3;
        var config = text[start..end];
        var changed = edit(config);
        Assert.NotEqual(config, changed);
        // Same length keeps the HDF5 structure valid: pad or trim inside the JSON's trailing whitespace is not available, so pad the name.
        Assert.True(changed.Length <= config.Length, "an edit must not lengthen the config");
        changed = changed[..^3] + new string(' ', config.Length - changed.Length) + "]}}";
        var path = Path.Combine(_folder, fixture);
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text[..start] + changed + text[end..]));
        return path;
    }

    /// <summary>The fixture's channels-last inputs as an NCHW tensor, and the expected outputs.</summary>
    private static (Tensor Inputs, float[] Outputs) Expected(string file = "expected.json")
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, file)));
        var images = document.RootElement.GetProperty("inputs");
        var (n, h, w, c) = (images.GetArrayLength(), images[0].GetArrayLength(), images[0][0].GetArrayLength(),
            images[0][0][0].GetArrayLength());
        var nhwc = images.EnumerateArray().SelectMany(image => image.EnumerateArray().SelectMany(row => row.EnumerateArray()
            .SelectMany(pixel => pixel.EnumerateArray().Select(v => v.GetSingle())))).ToArray();
        var outputs = document.RootElement.GetProperty("outputs").EnumerateArray().SelectMany(r =>
            r.EnumerateArray().Select(v => v.GetSingle())).ToArray();
        using var channelsLast = tensor(nhwc, new long[] { n, h, w, c });
        return (channelsLast.permute(0, 3, 1, 2).contiguous(), outputs);
    }
}
