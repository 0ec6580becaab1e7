using CnnLab.Models.Saving;
using CnnLab.Tests.Cli;

namespace CnnLab.Tests.Models.Saving;

/// <summary>
/// Keras files that lie (written by tests/fixtures/keras/make_keras_models.py into hostile/): each is refused with one
/// line naming the file, the layer and what is wrong, before the lie is read.
/// </summary>
public sealed class HostileKerasFileTests
{
    private static readonly string Hostile = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "hostile");

    [Fact]
    public void A_kernel_stored_transposed_is_refused_with_both_shapes()
    {
        var path = Path.Combine(Hostile, "transposed-kernel.h5");

        var message = Assert.Throws<InvalidDataException>(() => KerasModelFile.Load(path)).Message;

        Assert.Equal($"{path}: layer \"dense\" (Dense) stores its \"kernel\" weight as (3, 72), but the layer needs (72, 3).", message);
    }

    [Fact]
    public void Predict_refuses_it_in_one_line()
    {
        var path = Path.Combine(Hostile, "transposed-kernel.h5");

        var (code, output, error) = CliRunner.Run("predict", path, path);

        Assert.Equal((1, ""), (code, output));
        Assert.Equal($"error: {path}: layer \"dense\" (Dense) stores its \"kernel\" weight as (3, 72), but the layer needs (72, 3).\n",
            error);
    }
}
