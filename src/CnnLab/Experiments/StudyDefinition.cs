using CnnLab.Models;

namespace CnnLab.Experiments;

/// <summary>A whole comparison, as read from a study file: the data, the runs, the seeds and the comparisons to test.</summary>
public sealed record StudyDefinition(
    string Name,
    DatasetSettings Dataset,
    int Seeds,
    IReadOnlyList<RunDefinition> Runs,
    IReadOnlyList<ComparisonDefinition> Comparisons);

/// <summary>Which dataset and how to prepare it.</summary>
public sealed record DatasetSettings(string Name, string? DataDir, bool Standardize, int? Limit);

/// <summary>Fit settings of a run.</summary>
public sealed record TrainingSettings(int Epochs, int BatchSize, double ValidationSplit);

/// <summary>One run: a model, its optimizer (name and learning rate) and its training settings.</summary>
public sealed record RunDefinition(string Name, ModelChoice Model, string Optimizer, double? LearningRate, TrainingSettings Training);

/// <summary>A model by notebook name or a VGG template written in the file.</summary>
public sealed record ModelChoice(string? NamedModel, VggTemplate? Template)
{
    /// <summary>Text for tables: the name, or the template's blocks.</summary>
    public override string ToString() => NamedModel ?? "vgg " + string.Join(" ", Template!.Blocks.Select(b => "[" + string.Join(",", b) + "]"));
}

/// <summary>Two runs whose difference is tested over the seeds; <see cref="Metric"/> is test_accuracy unless given.</summary>
public sealed record ComparisonDefinition(string Name, string First, string Second, string Metric);
