using System.Text.Json;
using CnnLab.Data;
using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Studies.Experiments;

/// <summary>The study file's dataset keys `shuffle` and `shuffle_seed` (issue 13, item 1), kept in study.json.</summary>
public class StudyDatasetKeysTests
{
    private const string Runs = "runs:\n  - name: A\n    model: m2-leaky\n";

    [Theory]
    [InlineData("dataset: images/\n", true, 0L)]
    [InlineData("dataset: {name: images.csv}\n", true, 0L)]
    [InlineData("dataset: {name: images/, shuffle_seed: 7}\n", true, 7L)]
    [InlineData("dataset: {name: images/, shuffle: false}\n", false, 0L)]
    public void A_folder_or_CSV_is_shuffled_with_seed_0_unless_the_file_says_otherwise(string dataset, bool enabled, long seed)
    {
        var study = StudyParser.Parse(dataset + Runs, "s.yaml");

        Assert.Equal(new DataShuffle(enabled, seed), study.Dataset.Shuffle);
        Assert.Contains($"\"Shuffle\":{{\"Enabled\":{(enabled ? "true" : "false")},\"Seed\":{seed}}}", JsonSerializer.Serialize(study));
    }

    [Fact]
    public void A_known_dataset_keeps_its_publishers_order()
    {
        Assert.Null(StudyParser.Parse("dataset: fashion-mnist\n" + Runs, "s.yaml").Dataset.Shuffle);
        Assert.Null(StudyParser.Parse(Runs, "s.yaml").Dataset.Shuffle);
    }

    [Theory]
    [InlineData("dataset: {name: fashion_mnist, shuffle: false}\n",
        "s.yaml, line 1: `dataset.shuffle` applies to image folders and CSV files; fashion-mnist is read in its publisher's order, " +
        "whose classes are already mixed. Remove it.")]
    [InlineData("dataset:\n  name: mnist\n  shuffle_seed: 3\n",
        "s.yaml, line 3: `dataset.shuffle_seed` applies to image folders and CSV files; mnist is read in its publisher's order, " +
        "whose classes are already mixed. Remove it.")]
    [InlineData("dataset:\n  name: images/\n  shuffle: false\n  shuffle_seed: 3\n",
        "s.yaml, line 4: `dataset.shuffle_seed` needs `shuffle: true`; with `shuffle: false` the files keep their order. " +
        "Remove one of them.")]
    [InlineData("dataset: {name: images/, shuffle: no}\n", "s.yaml, line 1: `dataset.shuffle` must be true or false; received no.")]
    [InlineData("dataset: {name: images/, shuffle_seed: -1}\n",
        "s.yaml, line 1: `dataset.shuffle_seed` must be an integer >= 0; received -1.")]
    public void Bad_shuffle_keys_are_errors_naming_the_line(string dataset, string expected)
    {
        var e = Assert.Throws<StudyFileException>(() => StudyParser.Parse(dataset + Runs, "s.yaml"));

        Assert.Equal(expected, e.Message);
    }
}
