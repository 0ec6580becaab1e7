using System.Text;
using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>Study files nobody here wrote: each gets the parser's own error,
/// with the file, the line and the numbers, before anything is built.</summary>
public class HostileStudyFileTests
{
    private static string ErrorOf(string yaml) => Assert.Throws<StudyFileException>(() => StudyParser.Parse(yaml, "hostile.yaml")).Message;

    [Fact]
    public void A_grid_of_anchored_lists_is_counted_and_refused_before_it_is_listed()
    {
        var values = string.Join(", ", Enumerable.Range(1, 100));
        var message = ErrorOf($"""
            name: bomb
            grid:
              filters: &v [{values}]
              kernel_size: *v
              pool_size: *v
              depth: [1, 2]
            """);

        Assert.Equal("hostile.yaml, line 3: the grid spans 2 depth(s) x 100 filter count(s) x 100 kernel size(s) x 100 pool size(s) " +
                     "= 2,000,000 combinations, " +
                     "more than the limit of 10,000. Give fewer values.", message);
    }

    [Fact]
    public void Two_billion_seeds_are_refused_with_the_count()
    {
        var message = ErrorOf("""
            seeds: 2000000000
            runs:
              - {name: a, model: m2-leaky}
              - {name: b, model: m3-leaky}
            """);

        Assert.Equal("hostile.yaml: 2 run(s) x 2,000,000,000 seed(s) = 4,000,000,000 trainings, more than the limit of 10,000. " +
                     "Use fewer seeds, fewer runs or a grid `sample`.", message);
    }

    [Fact]
    public void A_runner_given_too_many_seeds_on_the_command_line_refuses_them_too()
    {
        var study = StudyParser.Parse("runs: [{name: a, model: m2-leaky}]") with { Seeds = 10_001 };

        var message = Assert.Throws<StudyFileException>(() => new StudyRunner(study, "unused", TextWriter.Null)).Message;

        Assert.Equal("study: 1 run(s) x 10,001 seed(s) = 10,001 trainings, more than the limit of 10,000. Use fewer seeds, " +
            "fewer runs or a grid `sample`.", message);
    }

    [Fact]
    public void Nested_aliases_that_expand_exponentially_are_refused()
    {
        var yaml = new StringBuilder("name: laughs\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 9; i++)
        {
            yaml.Append($"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        }

        Assert.Equal("hostile.yaml, line 7: the anchors and aliases expand to more than 1,000,000 values; a study file needs far fewer. " +
                     "Write the values out or use fewer aliases.", ErrorOf(yaml.ToString()));
    }

    [Fact]
    public void Plain_values_nested_a_few_levels_are_counted_once_not_once_per_level()
    {
        // 210,000 values five levels deep, no anchor: counted once per level they looked like 1,050,000 expanded values.
        var yaml = "name: wide\nruns:\n  - name: a\n    model:\n      input_shape: [" + string.Join(", ", Enumerable.Repeat("1", 210_000)) +
            "]\n      layers: [{flatten: {}}]\n";

        var study = StudyParser.Parse(yaml, "wide.yaml");

        Assert.Equal(210_000, study.Runs[0].Model.LayerList!.InputShape!.Count);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("{a: ", "}")]
    [InlineData("- ", "")]
    public void Deep_nesting_is_refused_before_it_can_overflow_the_stack(string open, string close)
    {
        var depth = 100_000;
        var yaml = "runs: " + string.Concat(Enumerable.Repeat(open, depth)) + "x" + string.Concat(Enumerable.Repeat(close, depth));
        if (open == "- ")
        {
            // Block style: each level indented one more space.
            yaml = "runs:\n" + string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i + 1) + "-\n")) + new string(' ', 202) +
                "x\n";
        }

        var message = ErrorOf(yaml);

        Assert.EndsWith("nesting deeper than 64 levels; a study file needs far fewer. Flatten the lists and mappings.", message);
        Assert.StartsWith("hostile.yaml, line ", message);
    }

    [Fact]
    public void A_key_that_is_a_list_is_an_error_not_a_cast_exception()
    {
        Assert.Equal("hostile.yaml, line 1: a key must be plain text, not a list, a mapping or an alias.", ErrorOf("? [x, y]\n: 1\n"));
    }

    [Fact]
    public void Run_names_that_share_a_results_folder_are_refused()
    {
        var message = ErrorOf("""
            runs:
              - {name: "A, b", model: m2-leaky}
              - {name: a b, model: m3-leaky}
            """);

        Assert.Equal("hostile.yaml: runs \"A, b\" and \"a b\" would share the results folder \"a-b\" (names are compared in lower case, " +
            "letters and digits only). Rename one of them.", message);
    }

    [Fact]
    public void A_run_name_without_letters_or_digits_is_refused()
    {
        Assert.Equal("hostile.yaml: run name \"!!!\" has no letter or digit, so it cannot name a results folder. Add one.",
            ErrorOf("runs: [{name: '!!!', model: m2-leaky}]"));
    }

    [Fact]
    public void A_deep_grid_that_would_overflow_its_filter_count_is_refused()
    {
        Assert.Equal("hostile.yaml, line 1: a grid of depth 40 starting at 20 filters doubles them to more than 65,536 in the last " +
                     "block, more than the 65,536 allowed. " +
                     "Give smaller depths or filters.", ErrorOf("grid: {depth: 40, filters: 20}"));
    }

    [Fact]
    public void A_study_file_larger_than_a_megabyte_is_not_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"cnnlab-big-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "name: big\n" + new string('#', 2 << 20));
        try
        {
            var message = Assert.Throws<StudyFileException>(() => StudyParser.ParseFile(path)).Message;
            Assert.Equal($"Study file \"{path}\" is 2,097,162 bytes, more than the 1,048,576 a study file may have. Is it the right file?",
                message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
