using System.IO.Compression;
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
    public void Flattened_images_merged_before_a_dense_are_refused_rather_than_imported_with_rows_in_the_wrong_order()
    {
        var path = Path.Combine(Hostile, "merged-flatten.h5");

        var message = Assert.Throws<InvalidDataException>(() => KerasModelFile.LoadAny(path)).Message;

        Assert.Equal($"{path}: layer \"joined\" (Concatenate) merges the features Flatten \"fb\" took from an image (None, 4, 4, 2); " +
            "Keras orders them height-width-channel and CnnLab's Flatten channel-major, and CnnLab does not reorder the weights " +
            "after a merge of them, so it refuses the file rather than compute something else.", message);
    }

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

    [Theory]
    [InlineData("self-link.h5")]
    [InlineData("self-link-new-layout.h5")]
    [InlineData("link-cycle.h5")]
    [InlineData("self-link.keras")]
    public void Soft_links_that_never_end_are_refused_instead_of_overflowing_the_stack(string file)
    {
        var path = Path.Combine(Hostile, file);

        // Before, PureHDF resolved them until the process died of a stack overflow.
        CliRunner.AssertRefused(CliRunner.Run("predict", path, path),
            $"{path}: the HDF5 file's links never end (a soft link that names itself or a cycle of soft links); Keras writes no " +
            "soft links, so the file was made or edited by something else.");
    }

    [Fact]
    public void A_config_that_implies_more_weights_than_the_file_can_hold_is_refused_before_any_is_allocated()
    {
        var path = Path.Combine(Hostile, "huge-dense.h5");
        var before = GC.GetTotalAllocatedBytes();

        var message = Assert.Throws<InvalidDataException>(() => KerasModelFile.Load(path)).Message;

        Assert.Equal($"{path}: layer \"dense\" (Dense) would bring the model to 1,020,500,000 weights, more than 9,064 bytes of weights " +
                     "can hold (1,053,108 at most); the file is damaged or its config does not match its weights.", message);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 100 << 20, "the refusal allocated over 100 MB of managed memory");
    }

    [Fact]
    public void A_weights_entry_far_larger_than_its_model_is_refused_before_it_is_unpacked()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("cnnlab-hostile-keras-").FullName, "padded.keras");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "layers", "Dense.keras"), path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("model.weights.h5")!.Delete();
            using var entry = zip.CreateEntry("model.weights.h5", CompressionLevel.Fastest).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                entry.Write(zeros);
            }
        }

        var message = Assert.Throws<InvalidDataException>(() => KerasModelFile.Load(path)).Message;

        Assert.Equal($"{path}: model.weights.h5 is 67,108,864 bytes unpacked, more than the model's 652 weights take " +
                     "(4,199,520 bytes at most); the file is damaged or does not belong to this config.", message);
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }
}
