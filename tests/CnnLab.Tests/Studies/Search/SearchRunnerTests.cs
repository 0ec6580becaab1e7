using CnnLab.Studies.Experiments;
using CnnLab.Studies.Search;

namespace CnnLab.Tests.Studies.Search;

/// <summary>A worker over a real journal with a stand-in trainer: what it writes when a configuration diverges.</summary>
public sealed class SearchRunnerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cnnlab-runner-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void A_trial_whose_objective_is_not_finite_is_stopped_with_the_reason_and_the_search_goes_on()
    {
        var study = StudyParser.Parse(SearchPlannerTests.File, "planner.yaml");
        var runner = new SearchRunner(study, _folder, TextWriter.Null);

        var trained = runner.Work(new Diverging());

        var state = SearchState.Replay(runner.Journal.Read());
        var diverged = state.Trials.Where(t => t.Drawn["learning_rate"] > 0.03).ToList();
        Assert.NotEmpty(diverged);
        Assert.All(diverged, t => Assert.Equal("val_accuracy was NaN after 1 epoch(s) with seed 1", t.StopReason));
        Assert.Equal(24, state.Trials.Count);
        Assert.True(trained >= 24);
        Assert.DoesNotContain(runner.Leaderboard(), l => diverged.Contains(l.Trial));
    }

    private sealed class Diverging : ITrialTrainer
    {
        public string? Check(RunDefinition run) => null;

        public TrialScore Train(RunDefinition run, int seed, int fromEpoch, int epochs, string objective, string folder) =>
            new(run.LearningRate > 0.03 ? double.NaN : 0.9 - Math.Abs(Math.Log10(run.LearningRate!.Value / 0.003)) / 10 + seed * 0.001,
                1.0);
    }
}
