using System.IO.Compression;

namespace CnnLab.Tests.Cli;

/// <summary>
/// Files whose sizes would drive gigabytes of allocation (issue 23, item 2), refused by the program in one line with
/// exit code 1 and under 2 GB of resident memory (<see cref="CliRunner.AssertRefused"/> measures it; every refusal test
/// through the CLI does).
/// </summary>
public sealed class RefusalMemoryCliTests : IDisposable
{
    private static readonly string Hostile = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "hostile");
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-refusal-memory-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void A_never_written_kernel_of_32768_by_32768_is_refused_by_its_shape_before_it_is_read()
    {
        var path = Path.Combine(Hostile, "unwritten-kernel.h5");

        CliRunner.AssertRefused(CliRunner.Run("predict", path, path),
            $"{path}: layer \"dense\" (Dense) stores its \"kernel\" weight as (32768, 32768), but the layer needs (72, 3).");
    }

    [Fact]
    public void A_dense_layer_of_1300000_units_is_refused_before_it_is_built()
    {
        var path = Path.Combine(Hostile, "huge-dense.h5");

        CliRunner.AssertRefused(CliRunner.Run("summary", path),
            $"{path}: layer \"dense\" (Dense) would bring the model to 1,020,500,000 weights, more than 9,064 bytes of weights " +
            "can hold (1,053,108 at most); the file is damaged or its config does not match its weights.");
    }

    [Fact]
    public void A_keras_archive_whose_weights_unpack_to_a_gigabyte_of_zeros_is_refused_before_they_are_unpacked()
    {
        var path = Path.Combine(_folder, "zeros.keras");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "layers", "Dense.keras"), path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("model.weights.h5")!.Delete();
            using var entry = zip.CreateEntry("model.weights.h5", CompressionLevel.Fastest).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 1024; i++)
            {
                entry.Write(zeros);
            }
        }

        CliRunner.AssertRefused(CliRunner.Run("predict", path, path),
            $"{path}: model.weights.h5 is 1,073,741,824 bytes unpacked, more than the model's 652 weights take (4,199,520 bytes " +
            "at most); the file is damaged or does not belong to this config.");
    }

    [Fact]
    public void An_onnx_graph_declaring_fifty_million_classes_is_refused_before_its_outputs_are_allocated()
    {
        var path = Path.Combine(_folder, "wide.onnx");
        File.WriteAllBytes(path, Export.OnnxExportTests.FiftyMillionClasses());

        CliRunner.AssertRefused(CliRunner.Run("evaluate", path),
            $"{path}: the output \"output\" declares 50,000,000 classes; an image classifier here has at most 1,000,000.");
    }
}
