using System.Text.Json;
using System.Text.Json.Serialization;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// What one run with one seed produced, as <see cref="ResultsFolder"/> keeps it in the run-seed's metrics.json: the
/// final and best metrics, the per-epoch curves, the test set's confusion matrix and the class predicted for each test
/// image (in the test split's order), and, when the thread count followed the machine's load (CNNLAB_ADAPT_THREADS=1),
/// the fewest intra-op threads of each epoch; <see cref="Precision"/> is the dtype policy when not float32.
/// Everything after training (resume, <c>--list</c>, the report) reads this record
/// and nothing else of the run; the CSV files beside it are exports. <see cref="Predicted"/> is null only for a run
/// finished by a CnnLab from before it was recorded and with no predictions.csv either.
/// </summary>
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
    long[][] Confusion,
    [property: JsonConverter(typeof(OneLineArrayConverter))] long[]? Predicted = null,
    IReadOnlyList<double>? Threads = null,
    string? Precision = null);

/// <summary>
/// Writes a long list (one class per test image) on one line of the otherwise indented file, so that the metrics above
/// it stay readable; reads it as any array.
/// </summary>
internal sealed class OneLineArrayConverter : JsonConverter<long[]>
{
    /// <inheritdoc />
    public override long[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : JsonSerializer.Deserialize<long[]>(ref reader);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, long[] value, JsonSerializerOptions options) =>
        writer.WriteRawValue("[" + string.Join(",", value.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]",
            skipInputValidation: true);
}
