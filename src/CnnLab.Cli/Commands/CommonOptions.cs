using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using CnnLab.Models;
using CnnLab.Training;

namespace CnnLab.Cli.Commands;

/// <summary>Options several commands share, each with its help text and checks.</summary>
internal static class CommonOptions
{
    public static Option<string> Model(string defaultName) => new("--model")
    {
        Description = $"Model name: {string.Join(", ", NotebookModels.Names)}.",
        DefaultValueFactory = _ => defaultName,
    };

    /// <summary>The MODEL argument of the commands that read a saved model.</summary>
    public static Argument<string> ModelFile() => new("MODEL")
    {
        Description = "A model saved by `train --save`, a study or ModelCheckpoint (.safetensors), a Keras file (.h5 of Keras 2, " +
            ".keras of Keras 3) or an ONNX file (.onnx).",
    };

    /// <summary>Which engine runs inference; <see cref="ModelOpener"/> reads it.</summary>
    public static Option<string> Engine()
    {
        var option = new Option<string>("--engine")
        {
            Description = $"Inference engine: onnxruntime (ONNX Runtime: the model exported to ONNX in memory) or libtorch. Default: " +
                          $"{ModelOpener.DefaultEngine}, " +
                          "the faster on CPU here (README, Performance). An .onnx file always runs on onnxruntime.",
            DefaultValueFactory = _ => ModelOpener.DefaultEngine,
        };
        option.AcceptOnlyFromAmong(ModelOpener.Engines);
        return option;
    }

    /// <summary>At most one thread per logical core: more only spawns threads that wait (100,000 used to hang spawning them).</summary>
    public static Option<int?> Threads() =>
        OptionalInteger("--threads",
            $"libtorch intra-op threads, 1 to {Environment.ProcessorCount} (default: all {Environment.ProcessorCount} cores).",
            maximum: Environment.ProcessorCount);

    public static Option<string> Device() => new("--device")
    {
        Description = "Where to compute: cpu, or cuda / cuda:N where a CUDA build of libtorch and a GPU exist.",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<string> Precision()
    {
        var option = new Option<string>("--precision")
        {
            Description = "Keras' dtype policy while training: float32, or mixed_bfloat16 (convolutions and matrix products in " +
                          "bfloat16 on " +
                          "float32 weights; on CPUs with AVX512_BF16 or AMX, else float32 with a warning). Default: float32.",
            DefaultValueFactory = _ => "float32",
        };
        option.AcceptOnlyFromAmong(CnnLab.Engine.MixedPrecision.Names.ToArray());
        return option;
    }

    public static Option<string> TestTimeAugmentation()
    {
        var option = new Option<string>("--test-time-augmentation")
        {
            Description = "horizontal_flip averages each image's outputs with its mirror image's (for classes a flip does not change); " +
                "none by default.",
            DefaultValueFactory = _ => "none",
        };
        option.AcceptOnlyFromAmong(TestTimeAugmentations.Names.ToArray());
        return option;
    }

    /// <summary>The parsed value of an option made by <see cref="TestTimeAugmentation()"/>, which accepts only known names.</summary>
    public static TestTimeAugmentation TestTimeAugmentationOf(string name) =>
        TestTimeAugmentations.TryParse(name, out var value) ? value
            : throw new ArgumentException($"Unknown test-time augmentation {name}.", nameof(name));

    /// <summary>An integer option in [<paramref name="minimum"/>,
    /// <paramref name="maximum"/>]; anything else is one clear parse error.</summary>
    public static Option<int> Integer(string name, string description, int defaultValue, int minimum = 1, int maximum = int.MaxValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = result => ParseInteger(result, name, minimum, maximum) ?? defaultValue;
        return option;
    }

    /// <summary>An optional integer option in [<paramref name="minimum"/>, <paramref name="maximum"/>]; null when not given.</summary>
    public static Option<int?> OptionalInteger(string name, string description, int minimum = 1, int maximum = int.MaxValue)
    {
        var option = new Option<int?>(name) { Description = description };
        option.CustomParser = result => ParseInteger(result, name, minimum, maximum);
        return option;
    }

    /// <summary>An optional number option greater than 0 and finite; null when not given.</summary>
    public static Option<double?> OptionalPositiveNumber(string name, string description)
    {
        var option = new Option<double?>(name) { Description = description };
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                && value > 0)
            {
                return value;
            }
            result.AddError($"Invalid value for {name}: {text}. Expected a number greater than 0, such as 0.001.");
            return null;
        };
        return option;
    }

    /// <summary>
    /// An optional number option in [<paramref name="minimum"/>, <paramref name="maximum"/>] (both positive); null when not
    /// given. The range keeps a value whose effects overflow float32 (1e308) or vanish in it (1e-300) out of the model.
    /// </summary>
    public static Option<double?> OptionalNumber(string name, string description, double minimum, double maximum, string example)
    {
        var option = new Option<double?>(name) { Description = description };
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= minimum
                && value <= maximum)
            {
                return value;
            }
            result.AddError(string.Create(CultureInfo.InvariantCulture,
                $"Invalid value for {name}: {text}. Expected a number from {minimum} to {maximum}, such as {example}."));
            return null;
        };
        return option;
    }

    /// <summary>
    /// Parses the option's one token. Without a custom parser System.CommandLine hands a failed conversion to the
    /// validators, which then throw instead of reporting it, so the range and the type are checked here in one place.
    /// </summary>
    private static int? ParseInteger(ArgumentResult result, string name, int minimum, int maximum)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return (int)value;
        }
        result.AddError($"Invalid value for {name}: {text}. Expected a whole number from {minimum} to {maximum}.");
        return null;
    }
}
