using System.Text.Json;
using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary>Keras files on the command line: summary, predict, convert, export.</summary>
public sealed class KerasCliTests : IDisposable
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "sequential.h5");
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-keras-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Summary_predict_convert_and_export_take_a_Keras_file()
    {
        var (code, summary, error) = CliRunner.Run("summary", Model);
        Assert.True(code == 0, error);
        // Keras: conv2d 30, batch_normalization 12 (6 trainable), conv2d_1 52, dense 185, dense_1 18.
        Assert.Contains("Total params: 297", summary);

        var image = Path.Combine(_root, "x.png");
        Fixtures.Image(image, 8, 8, new SKColor(128, 128, 128));
        var (predictCode, predicted, predictError) = CliRunner.Run("predict", Model, image, "--json");
        Assert.True(predictCode == 0, predictError);
        Assert.Equal(3, JsonDocument.Parse(predicted).RootElement[0].GetProperty("top").GetArrayLength());

        var converted = Path.Combine(_root, "converted.safetensors");
        var (convertCode, convertOutput, convertError) = CliRunner.Run("convert", Model, converted, "--class-names", "a,b,c");
        Assert.True(convertCode == 0, convertError);
        Assert.Equal($"Wrote {converted}: 9 layers, 297 parameters, input (None, 8, 8, 1).\n", convertOutput);
        var (again, againOutput, _) = CliRunner.Run("predict", converted, image, "--json");
        Assert.Equal(0, again);
        Assert.Matches("\"class\": \"[abc]\"", againOutput);

        var (exportCode, _, exportError) = CliRunner.Run("export", Model, "--out", Path.Combine(_root, "export"));
        Assert.True(exportCode == 0, exportError);
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "export"), "*.py"));
    }

    [Fact]
    public void Convert_with_an_input_scale_puts_a_Rescaling_first_so_the_model_sees_what_it_was_trained_on()
    {
        var converted = Path.Combine(_root, "scaled.safetensors");

        var (code, output, error) = CliRunner.Run("convert", Model, converted, "--input-scale", "255");

        Assert.True(code == 0, error);
        Assert.Equal($"Wrote {converted}: 10 layers, 297 parameters, input (None, 8, 8, 1).\n", output);
        using var keras = CnnLab.Models.Sequential.Load(Model);
        using var scaled = CnnLab.Models.Sequential.Load(converted);
        Assert.Equal(("rescaling", 255.0), (scaled.Layers[0].Name, ((CnnLab.Layers.Rescaling)scaled.Layers[0]).Scale));
        using var x = TorchSharp.torch.rand(4, 1, 8, 8, generator: new TorchSharp.torch.Generator(3));
        using var raw = x.mul(255);
        var expected = TestSupport.ToArray(keras.Predict(raw));
        var actual = TestSupport.ToArray(scaled.Predict(x));
        Assert.All(expected.Zip(actual),
            p => Assert.True(Math.Abs(p.First - p.Second) < 1e-5, $"Keras on x * 255 {p.First}, converted on x {p.Second}"));
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("1e-300")]
    [InlineData("0")]
    [InlineData("abc")]
    public void Convert_refuses_an_input_scale_outside_its_range_naming_the_option(string value)
    {
        var (code, output, error) = CliRunner.Run("convert", Model, Path.Combine(_root, "x.safetensors"), "--input-scale", value);

        Assert.Equal((1, ""), (code, output));
        Assert.StartsWith($"error: Invalid value for --input-scale: {value}. Expected a number from 1E-06 to 1000000, such as 255.\n",
            error);
        Assert.False(File.Exists(Path.Combine(_root, "x.safetensors")));
    }

    [Fact]
    public void Convert_refuses_another_output_format()
    {
        var (code, _, error) = CliRunner.Run("convert", Model, Path.Combine(_root, "x.onnx"));

        Assert.Equal((1, $"error: OUT must be a .safetensors file; received \"{Path.Combine(_root, "x.onnx")}\".\n"), (code, error));
    }
}
