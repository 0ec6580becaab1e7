using CnnLab.Tests.Data;

namespace CnnLab.Tests.Cli;

/// <summary>`cnnlab study status DIR`: the task table from the folder alone, with damaged files shown as unreadable.</summary>
public sealed class StudyStatusCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-status-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void Status_lists_every_task_with_its_epochs_host_threads_and_accuracy_and_a_damaged_log_as_unreadable()
    {
        Fixtures.TwoShadeFolder(Path.Combine(_root, "data"), perClass: 30, size: 8, seed: 3);
        var file = Path.Combine(_root, "study.yaml");
        File.WriteAllText(file, $"""
            name: status check
            dataset: {Path.Combine(_root, "data")}
            seeds: 2
            training: {"{"}epochs: 2, batch_size: 8, validation_split: 0.25{"}"}
            runs:
              - name: small
                model: {"{"}blocks: [[4]], dense: [8]{"}"}
            """);
        var folder = Path.Combine(_root, "out");
        // Seed 1 only: seed 2 stays waiting.
        Assert.Equal(0, CliRunner.Run("study", file, "--out", folder, "--task", "0", "--threads", "1").Code);
        var log = File.ReadAllLines(Path.Combine(folder, "small", "seed-1", "epochs.jsonl"));
        var firstByte = File.ReadAllBytes(Path.Combine(folder, "small", "seed-1", "epochs.jsonl"))[0];

        var status = CliRunner.Run("study", "status", folder);
        File.WriteAllText(Path.Combine(folder, "small", "seed-1", "metrics.json"), "{\"Run\": ");
        var damaged = CliRunner.Run("study", "status", folder);

        Assert.Equal(2, log.Length);
        Assert.Equal((byte)'{', firstByte);   // no byte order mark: each line is JSON for any reader
        Assert.StartsWith("{\"epoch\":1,\"epochs\":2,\"seconds\":", log[0], StringComparison.Ordinal);
        Assert.True(status.Code == 0, status.Error);
        var lines = status.Output.Split('\n');
        Assert.Equal("task  run    seed  status         epoch       ETA  host          threads  accuracy", lines[0]);
        var host = Environment.MachineName.PadRight(12);
        Assert.Matches($@"^   0  small     1  finished         2/2         -  {host}        1  [01]\.\d{{4}} \(test\)$", lines[1]);
        Assert.Equal("   1  small     2  waiting          0/2         -  -                   -  -", lines[2]);
        Assert.Equal("2 task(s) of \"status check\": 1 finished, 0 running, 0 interrupted, 1 waiting.", lines[3]);
        Assert.True(damaged.Code == 0, damaged.Error);
        Assert.Contains("   0  small     1  unreadable", damaged.Output, StringComparison.Ordinal);
    }
}
