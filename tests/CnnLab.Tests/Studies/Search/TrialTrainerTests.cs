using System.Text.Json.Nodes;
using CnnLab.Data;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Search;

namespace CnnLab.Tests.Studies.Search;

/// <summary>A trial trained rung by rung, on a few generated images: what the journal's seconds count.</summary>
public sealed class TrialTrainerTests : IDisposable
{
    private const string Study = """
        name: trainer
        training: {epochs: 3, batch_size: 16, validation_split: 0.25}
        runs:
          - {name: trial 0, model: {blocks: [[4]], dense: []}}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-trial-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void A_rung_resumed_after_a_kill_counts_the_epochs_trained_before_the_kill_and_a_promotion_only_its_own()
    {
        var run = StudyParser.Parse(Study).Runs[0];
        var (x, y) = TestSupport.Bars(64, seed: 1);
        var (testX, testY) = TestSupport.Bars(16, seed: 2);
        using var data = new DataSplits("bars", new Dataset(x, y, new[] { "horizontal", "vertical" }),
            new Dataset(testX, testY, new[] { "horizontal", "vertical" }), "generated");
        var trainer = new TrialTrainer(data);

        // Rung 0 is 2 epochs; its worker was killed after the first epoch's checkpoint (a Fit to 1 epoch stands for it),
        // and the restarted worker trains the rung again from that checkpoint. Then rung 1 continues to epoch 3.
        var killed = trainer.Train(run, 1, fromEpoch: 0, epochs: 1, "val_accuracy", _folder);
        var resumed = trainer.Train(run, 1, fromEpoch: 0, epochs: 2, "val_accuracy", _folder);
        var promoted = trainer.Train(run, 1, fromEpoch: 2, epochs: 3, "val_accuracy", _folder);

        var logged = File.ReadLines(Path.Combine(_folder, ResultsFolder.EpochLog))
            .Select(l => JsonNode.Parse(l)!["seconds"]!.GetValue<double>()).ToList();
        Assert.Equal(3, logged.Count);
        Assert.Equal(logged[0], killed.Seconds);
        Assert.Equal(logged[0] + logged[1], resumed.Seconds);
        Assert.Equal(logged[2], promoted.Seconds);
        Assert.All(logged, s => Assert.True(s > 0));
    }
}
