using System.Text.Json;
using System.Text.Json.Nodes;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// A results folder read back without the command line that made it: the study it records (its study file's copy,
/// with the overrides study.json holds) and the results of the tasks that have finished.
/// </summary>
public static class StudyFolder
{
    /// <summary>
    /// The study of <paramref name="folder"/>: study.yaml parsed, then the epochs, seeds and limit study.json records,
    /// checked to resolve to exactly the recorded study.
    /// </summary>
    public static StudyDefinition ReadStudy(string folder)
    {
        var recordedPath = Path.Combine(folder, "study.json");
        var copy = Path.Combine(folder, "study.yaml");
        if (!File.Exists(recordedPath) || !File.Exists(copy))
        {
            throw new FileNotFoundException(
                $"{folder} is not a study's results folder: it needs study.json and study.yaml, which cnnlab study writes when it " +
                $"starts. Check the path.");
        }
        return Resolve(StudyParser.ParseFile(copy), folder);
    }

    /// <summary>
    /// <paramref name="study"/> (a study file as parsed, without the command line's overrides) with the epochs, seeds and
    /// limit the results folder recorded, checked to be exactly the folder's study: what status and reports show for a
    /// folder made with <c>--epochs</c>, <c>--seeds</c> or <c>--limit</c> without those being typed again.
    /// </summary>
    public static StudyDefinition Resolve(StudyDefinition study, string folder)
    {
        ArgumentNullException.ThrowIfNull(study);
        var recordedPath = Path.Combine(folder, ResultsFolder.StudyRecord);
        JsonNode recorded;
        try
        {
            recorded = JsonNode.Parse(File.ReadAllText(recordedPath)) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{recordedPath} is not valid JSON ({e.Message}); it should hold the study these " +
                $"results belong to.");
        }
        var seeds = Recorded(recorded["Seeds"], "Seeds", 1, StudyLimits.MaxRunSeeds, recordedPath) ?? study.Seeds;
        var limit = Recorded(recorded["Dataset"]?["Limit"], "Dataset.Limit", 1, int.MaxValue, recordedPath);
        var epochs = recorded["Runs"] is JsonArray runs && runs.Count == study.Runs.Count
            ? runs.Select((r, i) => Recorded(r?["Training"]?["Epochs"], $"Runs[{i}].Training.Epochs", 1, 100_000, recordedPath)).ToList()
            : study.Runs.Select(_ => (int?)null).ToList();
        study = study with
        {
            Seeds = seeds,
            Dataset = study.Dataset with { Limit = limit },
            Runs = study.Runs.Select((r, i) => epochs[i] is int e ? r with { Training = r.Training with { Epochs = e } } : r).ToList(),
        };
        // Whatever else differs (the copy edited, a newer CnnLab reading it otherwise) is said, not reported on silently.
        new StudyRunner(study, folder).CheckFolder();
        return study;
    }

    /// <summary>
    /// A whole number study.json records, within the bounds a study file has; anything else is an error naming the file
    /// and the key (a shared folder's files are input: "Seeds": -5 must not reach the runner).
    /// </summary>
    private static int? Recorded(JsonNode? node, string key, int minimum, int maximum, string path)
    {
        if (node is null)
        {
            return null;
        }
        if (node is JsonValue value && value.TryGetValue<int>(out var number) && number >= minimum && number <= maximum)
        {
            return number;
        }
        throw new InvalidDataException($"{path}: \"{key}\" is {node.ToJsonString()}; expected a whole number from {minimum:N0} to " +
            $"{maximum:N0}. The folder's study record is damaged.");
    }

    /// <summary>The results of every finished task of <paramref name="study"/> in <paramref name="folder"/>, in task order.</summary>
    public static IReadOnlyList<RunResult> FinishedResults(StudyDefinition study, string folder) =>
        ResultsFolder.ReadFinished(study, folder);
}
