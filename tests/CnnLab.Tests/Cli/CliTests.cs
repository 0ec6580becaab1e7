using System.Diagnostics;

namespace CnnLab.Tests.Cli;

/// <summary>Runs the real cnnlab program (copied beside the tests) and checks what a user sees.</summary>
public class CliTests
{
    [Fact]
    public void Summary_prints_the_notebooks_parameter_count()
    {
        var (code, output, error) = CliRunner.Run("summary", "--model", "m3-leaky");

        Assert.Equal(0, code);
        Assert.Contains("Total params: 56,318", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void Unknown_model_prints_one_line_and_exits_non_zero()
    {
        var (code, output, error) = CliRunner.Run("summary", "--model", "vgg16");

        Assert.Equal(1, code);
        Assert.Equal("error: Unknown model \"vgg16\". Expected one of: m3-leaky, m2-leaky, m2-bn-before, m2-bn-before-adam, m2-bn-after.\n",
            error);
    }

    [Fact]
    public void Train_with_a_missing_data_folder_prints_how_to_get_the_data()
    {
        var (code, _, error) = CliRunner.Run("train", "--data-dir", "/nonexistent/fashion", "--epochs", "1");

        Assert.Equal(1, code);
        Assert.StartsWith("error: Fashion-MNIST was not found in --data-dir \"/nonexistent/fashion\": the folder does not exist.", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Cuda_without_a_GPU_is_a_clear_error()
    {
        var (code, _, error) = CliRunner.Run("train", "--device", "cuda", "--data-dir", Environment.CurrentDirectory);

        Assert.Equal(1, code);
        Assert.Contains("error:", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("train")]
    public void Every_command_has_help(string command)
    {
        var (code, output, _) = CliRunner.Run(command, "--help");

        Assert.Equal(0, code);
        Assert.Contains("--model", output);
    }

    [Fact]
    public void Train_help_lists_its_options()
    {
        var (_, output, _) = CliRunner.Run("train", "--help");

        foreach (var option in new[] { "--epochs", "--batch-size", "--optimizer", "--validation-split", "--seed", "--threads", "--data-dir",
            "--limit", "--device" })
        {
            Assert.Contains(option, output);
        }
    }
}
