using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary><c>--task</c>: indices, ranges, lists and the scheduler's own index, each checked against the study's task count.</summary>
public class TaskSelectionTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Theory]
    [InlineData("3", new[] { 3 })]
    [InlineData("3-5", new[] { 3, 4, 5 })]
    [InlineData("0,4,7", new[] { 0, 4, 7 })]
    [InlineData(" 7, 0-2 ,1", new[] { 0, 1, 2, 7 })]
    public void Indices_ranges_and_lists(string spec, int[] expected) =>
        Assert.Equal(expected, TaskSelection.Parse(spec, 10, NoEnvironment));

    [Fact]
    public void Env_reads_Slurm_first_then_Kubernetes()
    {
        Assert.Equal(new[] { 4 },
            TaskSelection.Parse("env", 10, v => v switch { "SLURM_ARRAY_TASK_ID" => "4", "JOB_COMPLETION_INDEX" => "2", _ => null }));
        Assert.Equal(new[] { 2 }, TaskSelection.Parse("env", 10, v => v == "JOB_COMPLETION_INDEX" ? "2" : null));
    }

    [Theory]
    [InlineData("10", "`tasks` 10: index 10 is out of range; this study has 10 task(s), 0 to 9 (see `list`).")]
    [InlineData("2-12", "`tasks` 2-12: index 12 is out of range; this study has 10 task(s), 0 to 9 (see `list`).")]
    [InlineData("5-3", "`tasks` 5-3: the range 5-3 ends before it starts. Write the smaller index first, e.g. 3-5.")]
    [InlineData("three", "`tasks` three: \"three\" is not a task index. Expected an index, a range (3-5), a list (0,4,7) or env; " +
        "see `list` for the 10 tasks.")]
    [InlineData("1,,2",
        "`tasks` 1,,2: \"\" is not a task index. Expected an index, a range (3-5), a list (0,4,7) or env; see `list` for the 10 tasks.")]
    [InlineData("-1",
        "`tasks` -1: \"-1\" is not a task index. Expected an index, a range (3-5), a list (0,4,7) or env; see `list` for the 10 tasks.")]
    [InlineData("99999999999", "`tasks` 99999999999: \"99999999999\" is not a task index. Expected an index, a range (3-5), " +
        "a list (0,4,7) or env; see `list` for the 10 tasks.")]
    [InlineData("env", "`tasks` env reads SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, and neither is set. " +
        "Run it as a Slurm array element or a Kubernetes Indexed Job pod, or pass the index: `tasks` 3.")]
    public void Bad_specs_say_what_is_allowed(string spec, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => TaskSelection.Parse(spec, 10, NoEnvironment)).Message);

    [Fact]
    public void A_scheduler_index_beyond_the_study_names_the_variable()
    {
        var message =
            Assert.Throws<ArgumentException>(() => TaskSelection.Parse("env", 4, v => v == "SLURM_ARRAY_TASK_ID" ? "4" : null)).Message;

        Assert.Equal("`tasks` SLURM_ARRAY_TASK_ID=4: index 4 is out of range; this study has 4 task(s), 0 to 3 (see `list`).", message);
    }

    [Fact]
    public void Tasks_are_runs_in_file_order_then_seeds()
    {
        var study = StudyParser.Parse("""
            name: order
            seeds: 3
            runs:
              - {name: b, model: m2-leaky}
              - {name: a, model: m3-leaky}
            """);

        var tasks = StudyTask.All(study).Select(t => $"{t.Index}:{t.Run.Name}/{t.Seed}");

        Assert.Equal(new[] { "0:b/1", "1:b/2", "2:b/3", "3:a/1", "4:a/2", "5:a/3" }, tasks);
    }
}
