using System.Text.Json.Nodes;
using CnnLab.Studies.Search;

namespace CnnLab.Tests.Studies.Search;

public class AshaSchedulerTests
{
    [Theory]
    [InlineData(1, 20, 3, new[] { 1, 3, 9, 20 })]
    [InlineData(2, 16, 2, new[] { 2, 4, 8, 16 })]
    [InlineData(5, 5, 3, new[] { 5 })]
    [InlineData(1, 27, 3, new[] { 1, 3, 9, 27 })]
    public void Rungs_grow_by_the_reduction_factor_and_end_at_max_epochs(int min, int max, int eta, int[] rungs)
    {
        Assert.Equal(rungs, new AshaScheduler(min, max, eta, new[] { 1 }).RungEpochs);
    }

    [Fact]
    public void With_one_seed_the_top_third_of_a_rung_is_promoted_best_first_and_the_rest_wait()
    {
        var scheduler = new AshaScheduler(1, 9, 3, new[] { 1 });
        var state = State(scheduler, new[] { 0.80, 0.85, 0.70, 0.90, 0.60, 0.75 }.Select(s => new[] { s }).ToArray());

        var first = scheduler.NextPromotion(state, out var stops);

        // Six finished rung 0: two leaders (trials 3 and 1), the better first; nothing is stopped with one seed.
        Assert.Equal(3, first!["trial"]!.GetValue<int>());
        Assert.Equal(1, first["rung"]!.GetValue<int>());
        Assert.Equal("top 1/3", first["rule"]!.GetValue<string>());
        Assert.Equal("[3,1]", first["leaders"]!.ToJsonString());
        Assert.Empty(stops);
        state.Apply(first);
        Assert.Equal(1, scheduler.NextPromotion(state, out _)!["trial"]!.GetValue<int>());
        state.Apply(scheduler.NextPromotion(state, out _)!);
        Assert.Null(scheduler.NextPromotion(state, out _));
    }

    [Fact]
    public void With_three_seeds_a_trial_outside_the_leaders_goes_on_unless_the_paired_test_says_it_is_worse()
    {
        var scheduler = new AshaScheduler(1, 9, 3, new[] { 1, 2, 3 });
        var state = State(scheduler,
            new[] { 0.900, 0.910, 0.905 },   // 0: the leader (one of three finished)
            new[] { 0.880, 0.890, 0.886 },   // 1: consistently about 0.02 worse in every seed: stopped
            new[] { 0.930, 0.850, 0.902 });  // 2: mean lower than 0's, but one unlucky seed: not shown worse, promoted

        var leader = scheduler.NextPromotion(state, out _)!;
        state.Apply(leader);
        var next = scheduler.NextPromotion(state, out var stops);

        Assert.Equal(0, leader["trial"]!.GetValue<int>());
        var stop = Assert.Single(stops);
        Assert.Equal(1, stop["trial"]!.GetValue<int>());
        Assert.Equal("stop", stop["type"]!.GetValue<string>());
        Assert.Equal(0, stop["against"]!.GetValue<int>());
        Assert.InRange(stop["p"]!.GetValue<double>(), 0.0, 0.05);
        Assert.Equal(2, next!["trial"]!.GetValue<int>());
        Assert.Equal("paired t-test over 3 seeds", next["rule"]!.GetValue<string>());
        Assert.InRange(next["p"]!.GetValue<double>(), 0.05, 1.0);
    }

    [Fact]
    public void A_rung_with_fewer_trials_than_the_reduction_factor_promotes_nothing()
    {
        var scheduler = new AshaScheduler(1, 9, 3, new[] { 1, 2 });
        var state = State(scheduler, new[] { 0.9, 0.91 }, new[] { 0.5, 0.5 });

        Assert.Null(scheduler.NextPromotion(state, out var stops));
        Assert.Empty(stops);
    }

    [Fact]
    public void Invalid_settings_are_refused_naming_each_value()
    {
        var error = Assert.Throws<ArgumentException>(() => new AshaScheduler(3, 2, 1, new[] { 1 }));

        Assert.Equal("Invalid ASHA settings: min_epochs=3, max_epochs=2, reduction_factor=1, seeds=1, alpha=0.05. Expected 1 <= " +
            "min_epochs <= max_epochs, reduction_factor >= 2, at least one seed and 0 < alpha < 1.", error.Message);
    }

    [Fact]
    public void Over_the_time_limit_a_trial_is_stopped_with_its_projection_and_leaves_the_ranking_to_those_that_fit()
    {
        var scheduler = new AshaScheduler(1, 9, 3, new[] { 1, 2 }, maxTrainSeconds: 180);
        // Seed scores that differ enough for the paired test to stop none of them: only time stops trials here.
        var scores = new[] { new[] { 0.84, 0.86 }, new[] { 0.95, 0.95 }, new[] { 0.78, 0.82 }, new[] { 0.92, 0.88 },
            new[] { 0.70, 0.70 }, new[] { 0.80, 0.86 } };
        // Seconds of each trial's first epoch: 9 epochs project to 90, 225, 171, 108, 270 and 135 s.
        var state = SearchState.Replay(Records(scheduler, scores, new[] { 10.0, 25.0, 19.0, 12.0, 30.0, 15.0 }));

        var promotion = scheduler.NextPromotion(state, out var stops);

        Assert.Equal(new[] { 1, 4 }, stops.Select(s => s["trial"]!.GetValue<int>()));
        Assert.Equal(225.0, stops[0]["projected_seconds"]!.GetValue<double>(), 9);
        Assert.Equal("9 epochs would take about 225 s of training, over max_train_seconds 180", stops[0]["reason"]!.GetValue<string>());
        // Trial 1 is the best but too slow: the four that fit rank 3, 0, 5, 2, and one in three of them leads.
        Assert.Equal((3, "[3]"), (promotion!["trial"]!.GetValue<int>(), promotion["leaders"]!.ToJsonString()));
        Assert.True(scheduler.OverTime(state.Trials[1]));
        Assert.False(new AshaScheduler(1, 9, 3, new[] { 1, 2 }).OverTime(state.Trials[1]));
        foreach (var stop in stops)
        {
            state.Apply(stop);
        }
        Assert.Equal((0, stops[0]["reason"]!.GetValue<string>()), (state.Trials[1].StoppedAt!.Value, state.Trials[1].StopReason));
        scheduler.NextPromotion(state, out var again);
        Assert.Empty(again);
    }

    private static SearchState State(AshaScheduler scheduler, params double[][] scores) =>
        SearchState.Replay(Records(scheduler, scores));

    private static List<JsonObject> Records(AshaScheduler scheduler, double[][] scores, double[]? firstEpochSeconds = null)
    {
        var records = new List<JsonObject>();
        for (var trial = 0; trial < scores.Length; trial++)
        {
            records.Add(new JsonObject { ["type"] = "trial", ["trial"] = trial, ["drawn"] = new JsonObject() });
            for (var s = 0; s < scheduler.Seeds.Count; s++)
            {
                records.Add(new JsonObject
                {
                    ["type"] = "result", ["trial"] = trial, ["rung"] = 0, ["seed"] = scheduler.Seeds[s], ["score"] = scores[trial][s],
                });
                if (firstEpochSeconds is not null)
                {
                    (records[^1]["epochs"], records[^1]["seconds"]) = (1, firstEpochSeconds[trial]);
                }
            }
        }
        return records;
    }
}
