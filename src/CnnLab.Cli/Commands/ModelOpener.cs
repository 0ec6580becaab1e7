using CnnLab.Engine;
using CnnLab.Export;
using CnnLab.Models;
using CnnLab.OnnxRuntime;

namespace CnnLab.Cli.Commands;

/// <summary>A saved model for <c>predict</c> and <c>evaluate</c>, on the engine asked for.</summary>
internal static class ModelOpener
{
    public const string OnnxRuntime = "onnxruntime";
    public const string LibTorch = "libtorch";

    /// <summary>The engines <c>--engine</c> accepts.</summary>
    public static readonly string[] Engines = [OnnxRuntime, LibTorch];

    /// <summary>ONNX Runtime: faster than libtorch for inference on this machine's CPU at
    /// every batch size measured (README, Performance), same outputs to 1e-5.</summary>
    public const string DefaultEngine = OnnxRuntime;

    /// <summary>
    /// The model in <paramref name="path"/>: an .onnx file on ONNX Runtime; any other file CnnLab reads (its own, Keras')
    /// on libtorch, or exported to ONNX in memory and run on ONNX Runtime.
    /// </summary>
    public static IImageClassifier Open(string path, string engine, int? threads)
    {
        var threadCount = TorchEngine.Configure(threads);
        if (Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            return OnnxClassifier.Load(path, threadCount);
        }
        var model = KerasModel.Load(path);
        // A model with NaN weights outputs NaN on any engine; libtorch's error can count them.
        if (engine == LibTorch || model.CountNonFiniteWeights().NonFinite > 0)
        {
            return model;
        }
        using (model)
        {
            return OnnxClassifier.FromBytes(OnnxExport.ToBytes(model), path, threadCount);
        }
    }
}
