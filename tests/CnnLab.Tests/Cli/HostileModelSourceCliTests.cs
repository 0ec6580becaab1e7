using System.Text;

namespace CnnLab.Tests.Cli;

/// <summary>
/// Model sources that would hang or exhaust `summary` (issue 23, item 3): a FIFO named as a study's model or given
/// directly, a JSON config of half a million layers, a JSON file of many megabytes. Each is one line and exit code 1.
/// </summary>
public sealed class HostileModelSourceCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-hostile-sources-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void A_study_whose_model_is_a_fifo_is_refused_instead_of_waiting_for_a_writer()
    {
        var fifo = HostileFiles.Fifo(_folder);
        File.Move(fifo, fifo + ".safetensors");
        var study = Path.Combine(_folder, "study.yaml");
        File.WriteAllText(study, $"name: pipe\nruns:\n  - {{name: a, model: {fifo}.safetensors}}\n");

        CliRunner.AssertRefused(CliRunner.Run("summary", study),
            $"{fifo}.safetensors: is a named pipe (FIFO), not a regular file; expected a .safetensors file.");
    }

    [Fact]
    public void A_fifo_given_to_summary_as_a_keras_file_or_a_json_config_is_refused()
    {
        var fifo = HostileFiles.Fifo(_folder);
        foreach (var (extension, expected) in new[]
                 {
                     (".h5", "a Keras file (.h5, .hdf5 or .keras)"), (".keras", "a Keras file (.h5, .hdf5 or .keras)"),
                     (".json", "a model config (.json)"),
                 })
        {
            var named = fifo + extension;
            File.Move(fifo, named);

            CliRunner.AssertRefused(CliRunner.Run("summary", named),
                $"{named}: is a named pipe (FIFO), not a regular file; expected {expected}.");
            File.Move(named, fifo);
        }
    }

    [Fact]
    public void A_json_config_of_more_than_10000_layers_is_refused_before_any_is_built()
    {
        var path = Path.Combine(_folder, "many.json");
        var layers = string.Join(",", Enumerable.Repeat("""{"class_name": "Dropout", "config": {"rate": 0.1}}""", 10_001));
        File.WriteAllText(path, """{"class_name": "Sequential", "config": {"name": "many", "input_shape": [4, 4, 1], "layers": [""" +
            layers + "]}}");

        CliRunner.AssertRefused(CliRunner.Run("summary", path),
            $"{path}: the model config lists 10,001 layers; a model holds at most 10,000.");
    }

    [Fact]
    public void A_json_config_larger_than_64_MiB_is_refused_before_it_is_read()
    {
        var path = Path.Combine(_folder, "large.json");
        using (var file = File.Create(path))
        {
            file.SetLength((64L << 20) + 1);
        }

        CliRunner.AssertRefused(CliRunner.Run("summary", path),
            $"{path}: is 67,108,865 bytes; a model config (.json) is at most 67,108,864.");
    }

    [Fact]
    public void A_binary_file_named_json_is_refused_naming_the_file()
    {
        var path = Path.Combine(_folder, "binary.json");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes("\u0001\u0002PK").Concat(new byte[] { 0xff, 0xfe, 0 }).ToArray());

        var (code, output, error) = CliRunner.Run("summary", path);

        Assert.Equal((1, ""), (code, output));
        Assert.StartsWith($"error: {path}: ", error);
    }
}
