namespace CnnLab.Experiments;

/// <summary>What one run with one seed produced; written as metrics.json beside its history.</summary>
public sealed record RunResult(
    string Run,
    int Seed,
    long Parameters,
    int Epochs,
    double SecondsPerEpoch,
    double FinalLoss,
    double FinalAccuracy,
    double FinalValLoss,
    double FinalValAccuracy,
    double BestValAccuracy,
    int BestEpoch,
    double TestLoss,
    double TestAccuracy,
    IReadOnlyList<double> Accuracy,
    IReadOnlyList<double> ValAccuracy,
    IReadOnlyList<double> Loss,
    IReadOnlyList<double> ValLoss,
    long[][] Confusion);
