using System.Text.Json.Nodes;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Experiments.Schema;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>
/// Results folders carry the study schema version. Fixtures/main-results is a folder's study.json and study.yaml as
/// main wrote them before the version existed (commit 3944cdf, version 1): keys added since with their defaults
/// must not make it unresumable, while a real difference is still refused, naming it.
/// </summary>
public sealed class StudyVersionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-version-").FullName;

    public StudyVersionTests()
    {
        var fixture = Path.Combine(TestSupport.RepositoryRoot(), "tests", "CnnLab.Tests", "Studies", "Experiments", "Fixtures",
            "main-results");
        foreach (var file in Directory.GetFiles(fixture))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_folder, true);

    private string StudyYaml => Path.Combine(_folder, "study.yaml");

    private string Refusal(StudyDefinition study) =>
        Assert.Throws<StudyFileException>(() => new StudyRunner(study, _folder, TextWriter.Null).CheckFolder()).Message;

    [Fact]
    public void A_folder_written_before_the_version_resumes_and_keeps_its_study_json()
    {
        var before = File.ReadAllText(Path.Combine(_folder, "study.json"));
        Assert.DoesNotContain(StudyDifference.VersionKey, before, StringComparison.Ordinal);

        var study = StudyParser.ParseFile(StudyYaml);

        Assert.True(new StudyRunner(study, _folder, TextWriter.Null).CheckFolder());
        new StudyRunner(study, _folder, TextWriter.Null).ClaimFolder();
        Assert.Equal(before, File.ReadAllText(Path.Combine(_folder, "study.json")));
        Assert.Equal(study.Runs.Select(r => r.Name), StudyFolder.ReadStudy(_folder).Runs.Select(r => r.Name));
    }

    [Fact]
    public void A_real_difference_with_an_old_folder_is_refused_naming_the_first()
    {
        var study = StudyParser.ParseFile(StudyYaml);
        var changed = study with { Runs = study.Runs.Select(r => r with { Training = r.Training with { Epochs = 2 } }).ToList() };

        Assert.Equal($"The results in {_folder} belong to a different study: the study.Runs[0].Training.Epochs is 1 there and 2 here. " +
                     "Resume with the same study file and options, or use a new `outputFolder`.", Refusal(changed));
    }

    [Fact]
    public void A_key_added_since_and_set_off_its_default_is_a_difference()
    {
        var study = StudyParser.ParseFile(StudyYaml);
        var clipped = study with { Runs =
            study.Runs.Select(r => r with { Settings = new Dictionary<string, double> { ["clipnorm"] = 1 } }).ToList() };

        Assert.Equal($"The results in {_folder} belong to a different study: the study.Runs[0].Settings is null there and " +
                     $"{{\"clipnorm\":1}} here. " +
                     "Resume with the same study file and options, or use a new `outputFolder`.", Refusal(clipped));
    }

    [Fact]
    public void A_new_folder_records_the_version_and_a_newer_version_is_refused()
    {
        var study = StudyParser.ParseFile(StudyYaml);
        File.Delete(Path.Combine(_folder, "study.json"));
        new StudyRunner(study, _folder, TextWriter.Null).ClaimFolder();
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "study.json")))!;
        Assert.Equal(StudySchema.Version, recorded[StudyDifference.VersionKey]!.GetValue<int>());
        Assert.True(new StudyRunner(study, _folder, TextWriter.Null).CheckFolder());

        recorded[StudyDifference.VersionKey] = StudySchema.Version + 1;
        File.WriteAllText(Path.Combine(_folder, "study.json"), recorded.ToJsonString());

        Assert.Equal($"The results in {_folder} were written by a newer CnnLab (study schema version {StudySchema.Version + 1}; " +
                     $"this one reads up to {StudySchema.Version}). Resume them with that CnnLab, or use a new `outputFolder`.",
                     Refusal(study));
    }
}
