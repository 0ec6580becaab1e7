using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>A finished run's metrics.json that parses but lacks a list is refused
/// naming the file and the key, not left for the report to trip on.</summary>
public sealed class DamagedMetricsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-metrics-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Theory]
    [InlineData("{\"Run\": \"a\", \"Seed\": 1}", "Accuracy")]
    [InlineData("{\"Seed\": 1}", "Run")]
    [InlineData("{\"Run\": \"a\", \"Accuracy\": [], \"ValAccuracy\": [], \"Loss\": [], \"ValLoss\": [], \"Confusion\": [[1, 0], null]}",
        "Confusion")]
    public void A_metrics_file_without_a_list_names_the_missing_key(string json, string key)
    {
        var path = Path.Combine(_folder, "metrics.json");
        File.WriteAllText(path, json);

        var message = Assert.Throws<InvalidDataException>(() => StudyRunner.ReadResult(path)).Message;

        Assert.Equal($"{path} is not a valid metrics file (\"{key}\" is missing or null). Delete it to train that run again with `resume`.",
            message);
    }
}
