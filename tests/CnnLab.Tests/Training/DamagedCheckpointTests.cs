using CnnLab.Optimizers;
using CnnLab.Training;

namespace CnnLab.Tests.Training;

/// <summary>
/// A damaged epoch checkpoint stops the resumed Fit with an error naming the damaged file and what to do, before any
/// epoch runs; the checkpoint is left exactly as it was.
/// </summary>
public sealed class DamagedCheckpointTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-damaged-checkpoint-").FullName;
    private readonly string _checkpoint;

    public DamagedCheckpointTests()
    {
        _checkpoint = Path.Combine(_folder, "run");
        Fit(epochs: 2);
    }

    public void Dispose() => Directory.Delete(_folder, true);

    private void Fit(int epochs)
    {
        var (x, y) = TestSupport.Bars(32, seed: 12);
        using var model = TestSupport.SmallCnn(seed: 3);
        model.Compile(new Adam());
        model.Fit(x, y, new FitOptions { BatchSize = 16, Epochs = epochs, Seed = 5, Verbose = 0, CheckpointFolder = _checkpoint });
    }

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(_checkpoint).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    private string ResumeError()
    {
        var before = Snapshot();
        var message = Assert.Throws<InvalidDataException>(() => Fit(epochs: 4)).Message;
        var after = Snapshot();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key]));
        return message;
    }

    private string Fix => $". Delete the folder {_checkpoint} to train the run again from its first epoch.";

    [Fact]
    public void Truncated_weights_name_the_file_instead_of_reading_past_the_end_of_the_stream()
    {
        var weights = Path.Combine(_checkpoint, "weights-2.dat");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);

        Assert.Equal($"{weights}: the epoch checkpoint is damaged: the model's weights could not be read (Attempted to read past the end " +
            $"of the stream.){Fix}", ResumeError());
    }

    [Fact]
    public void A_truncated_index_is_an_error_naming_it()
    {
        var index = Path.Combine(_checkpoint, "checkpoint.json");
        File.WriteAllText(index, File.ReadAllText(index)[..40]);

        Assert.Equal($"{index}: the epoch checkpoint is damaged: it is not valid JSON or not a checkpoint index (at $, line 1){Fix}",
            ResumeError());
    }

    [Theory]
    [InlineData("\"Weights\":\"weights-2.dat\"", "\"Weights\":\"../../weights-2.dat\"", "\"Weights\" is not a file name in the folder")]
    [InlineData("\"Epoch\":2", "\"Epoch\":-2", "\"Epoch\" is -2")]
    [InlineData("\"Epoch\":2", "\"Epoch\":2000", "the History holds fewer than the 2000 epochs it claims")]
    [InlineData("\"Epoch\":2", "\"Epoch\":\"two\"", "it is not valid JSON or not a checkpoint index (at $.Epoch, line 1)")]
    [InlineData("\"Callbacks\":[]", "\"Callbacks\":null", "\"Callbacks\" or \"CallbackTensors\" is missing")]
    public void An_edited_index_is_refused_with_the_key(string original, string edited, string problem)
    {
        var index = Path.Combine(_checkpoint, "checkpoint.json");
        var text = File.ReadAllText(index);
        Assert.Contains(original, text, StringComparison.Ordinal);
        File.WriteAllText(index, text.Replace(original, edited, StringComparison.Ordinal));

        Assert.Equal($"{index}: the epoch checkpoint is damaged: {problem}{Fix}", ResumeError());
    }
}
