using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Cli;

/// <summary>Bad values on the command line and bad study files through the real program: one line, exit code 1, no stack trace.</summary>
public sealed class HostileInputCliTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Theory]
    [InlineData("train --epochs ten", "error: Invalid value for --epochs: ten. Expected a whole number from 1 to 100000.")]
    [InlineData("train --epochs 99999999999", "error: Invalid value for --epochs: 99999999999. Expected a whole number from 1 to 100000.")]
    [InlineData("train --batch-size 1.5", "error: Invalid value for --batch-size: 1.5. Expected a whole number from 1 to 2147483647.")]
    [InlineData("train --batch-size 0", "error: Invalid value for --batch-size: 0. Expected a whole number from 1 to 2147483647.")]
    [InlineData("train --learning-rate NaN",
        "error: Invalid value for --learning-rate: NaN. Expected a number greater than 0, such as 0.001.")]
    [InlineData("study x.yaml --seeds abc", "error: Invalid value for --seeds: abc. Expected a whole number from 1 to 10000.")]
    [InlineData("study x.yaml --limit -5", "error: Invalid value for --limit: -5. Expected a whole number from 1 to 2147483647.")]
    [InlineData("data show fashion-mnist --grid 1e9", "error: Invalid value for --grid: 1e9. Expected a whole number from 1 to 100.")]
    [InlineData("predict m.safetensors x.png --top-k x",
        "error: Invalid value for --top-k: x. Expected a whole number from 1 to 2147483647.")]
    public void Non_numeric_and_out_of_range_option_values_get_one_line(string arguments, string expected)
    {
        var (code, _, error) = CliRunner.Run(arguments.Split(' '));

        Assert.Equal(1, code);
        Assert.Equal(expected + "\n" + $"See 'cnnlab " +
            $"{(arguments.StartsWith("data", StringComparison.Ordinal) ? "data show" : arguments.Split(' ')[0])} --help'.\n", error);
    }

    [Fact]
    public void Threads_beyond_the_cores_are_refused_instead_of_spawned()
    {
        var (code, _, error) = CliRunner.Run("train", "--threads", "100000");

        Assert.Equal(1, code);
        Assert.StartsWith($"error: Invalid value for --threads: 100000. Expected a whole number from 1 to {Environment.ProcessorCount}.\n",
            error);
    }

    [Fact]
    public void A_resume_with_other_epochs_and_limit_is_refused_and_the_folder_is_left_as_it_was()
    {
        var file = Path.Combine(_folder, "study.yaml");
        File.WriteAllText(file, "name: s\ntraining: {epochs: 3}\nruns: [{name: a, model: m2-leaky}]\n");
        var results = Path.Combine(_folder, "results");
        new StudyRunner(StudyParser.ParseFile(file), results, TextWriter.Null).ClaimFolder();
        var recorded = File.ReadAllText(Path.Combine(results, "study.json"));

        var (code, output, error) = CliRunner.Run("study", file, "--out", results, "--resume", "--epochs", "20", "--limit", "60000");

        Assert.Equal(1, code);
        Assert.Equal($"error: The results in {results} belong to a different study: the study.Dataset.Limit is null there and " +
                     $"60000 here. " +
                     "Resume with the same study file and options, or use a new --out folder.\n", error);
        Assert.Equal("", output);
        Assert.Equal(new[] { "study.json" }, Directory.GetFiles(results).Select(Path.GetFileName));
        Assert.Equal(recorded, File.ReadAllText(Path.Combine(results, "study.json")));
    }

    [Theory]
    [InlineData("name: s\nruns:\n  - {name: \"A, b\", model: m2-leaky}\n  - {name: a b, model: m3-leaky}\n",
        "runs \"A, b\" and \"a b\" would share the results folder \"a-b\" (names are compared in lower case, letters and digits only). " +
        "Rename one of them.")]
    [InlineData("name: s\nseeds: 2000000000\nruns: [{name: a, model: m2-leaky}]\n",
        "1 run(s) x 2,000,000,000 seed(s) = 2,000,000,000 trainings, more than the limit of 10,000. Use fewer seeds, " +
        "fewer runs or a grid `sample`.")]
    [InlineData("? [x, y]\n: 1\n", "line 1: a key must be plain text, not a list, a mapping or an alias.")]
    public void Hostile_study_files_get_one_line_and_nothing_is_written(string yaml, string expected)
    {
        var file = Path.Combine(_folder, "hostile.yaml");
        File.WriteAllText(file, yaml);
        var results = Path.Combine(_folder, "results");

        var (code, _, error) = CliRunner.Run("study", file, "--out", results);

        Assert.Equal(1, code);
        Assert.Equal($"error: {file}{(expected.StartsWith("line", StringComparison.Ordinal) ? ", " : ": ")}{expected}\n", error);
        Assert.False(Directory.Exists(results));
    }

    [Fact]
    public void A_deeply_nested_study_file_gets_one_line_instead_of_a_stack_overflow()
    {
        var file = Path.Combine(_folder, "deep.yaml");
        File.WriteAllText(file, "runs: " + new string('[', 200_000) + new string(']', 200_000) + "\n");

        var (code, _, error) = CliRunner.Run("study", file);

        Assert.Equal(1, code);
        Assert.Equal($"error: {file}, line 1: nesting deeper than 64 levels; a study file needs far fewer. " +
            $"Flatten the lists and mappings.\n", error);
    }
}
