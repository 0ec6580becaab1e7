using CnnLab.Models;
using CnnLab.Tests.Data;
using SkiaSharp;

namespace CnnLab.Tests.Cli;

/// <summary><c>cnnlab summary</c> of a named model, a study file's runs, a JSON config and a saved model.</summary>
public sealed class SummaryCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-summary-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void A_name_a_json_config_and_a_saved_model_print_the_same_table()
    {
        var (code, byName, error) = CliRunner.Run("summary", "m3-leaky");
        Assert.True(code == 0, error);
        Assert.Contains("Total params: 56,318", byName);

        using var model = NotebookModels.Create("m3-leaky", seed: 0);
        File.WriteAllText(Path.Combine(_root, "m3.json"), model.ToJson());
        model.Save(Path.Combine(_root, "m3.safetensors"));

        Assert.Equal((0, byName), Without(CliRunner.Run("summary", Path.Combine(_root, "m3.json"))));
        Assert.Equal((0, byName), Without(CliRunner.Run("summary", Path.Combine(_root, "m3.safetensors"))));
    }

    /// <summary>keras.io's "Simple MNIST convnet" has 34,826 parameters in
    /// Keras' model.summary(); MNIST's files need not be here.</summary>
    [Fact]
    public void The_keras_io_study_prints_Keras_parameter_counts_without_reading_its_dataset()
    {
        var (code, output, error) = CliRunner.Run("summary", Path.Combine(TestSupport.RepositoryRoot(), "experiments", "keras-io.yaml"));

        Assert.True(code == 0, error);
        Assert.Contains("Run \"keras.io convnet, adam\" (layers: conv2d max_pooling2d conv2d max_pooling2d flatten dropout dense), " +
            "for mnist: input (None, 28, 28, 1), 10 classes", output);
        Assert.Contains("conv2d_1 (Conv2D)               (None, 11, 11, 64)        18,496", output);
        Assert.Equal(2, output.Split("Total params: 34,826").Length - 1);
    }

    [Fact]
    public void A_study_file_prints_each_runs_model_for_its_dataset()
    {
        for (var i = 0; i < 4; i++)
        {
            Fixtures.Image(Path.Combine(_root, "data", "dark", $"{i}.png"), 8, 8, new SKColor(20, 20, 20));
            Fixtures.Image(Path.Combine(_root, "data", "light", $"{i}.png"), 8, 8, new SKColor(230, 230, 230));
        }
        var study = Path.Combine(_root, "study.yaml");
        File.WriteAllText(study, $$$"""
            name: mine
            dataset: {{{Path.Combine(_root, "data")}}}
            runs:
              - name: own
                model:
                  layers:
                    - conv2d: {filters: 4, kernel_size: 3, padding: same}
                    - flatten: {}
                    - dense: {units: 2, activation: softmax}
              - name: template
                model: {blocks: [[2]], dense: []}
            """);

        var (code, output, error) = CliRunner.Run("summary", study);

        Assert.True(code == 0, error);
        Assert.Contains("Run \"own\" (layers: conv2d flatten dense), for ", output);
        // The folder's PNGs are read as RGB: conv 3*9*4+4 = 112, dense 8*8*4*2+2 = 514.
        Assert.Contains(": input (None, 8, 8, 3), 2 classes", output);
        Assert.Contains("Total params: 626", output);
        Assert.Contains("Run \"template\" (vgg [2]), for ", output);
    }

    [Fact]
    public void Something_else_is_one_line()
    {
        var (code, _, error) = CliRunner.Run("summary", Path.Combine(_root, "nothing.h5"));

        Assert.Equal(1, code);
        Assert.Equal($"error: {Path.Combine(_root, "nothing.h5")} is neither a model name (m3-leaky, m2-leaky, m2-bn-before, " +
                     $"m2-bn-before-adam, m2-bn-after) " +
                     "nor an existing file (a study .yaml, a model .json or .safetensors, a Keras .h5 or .keras).\n", error);
    }

    private static (int, string) Without(CliResult run) => (run.Code, run.Output);
}
