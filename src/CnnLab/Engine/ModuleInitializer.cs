using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace CnnLab.Engine;

/// <summary>Code that runs when CnnLab's assembly is first used.</summary>
internal static class ModuleInitializer
{
    /// <summary>
    /// The GLIBCXX fix must come before TorchSharp's first native call, and in CnnLab that may be anywhere: a data
    /// loader creating a tensor, a model's field. Only an initializer of the whole assembly runs ahead of all. Where
    /// libtorch certainly cannot load, it throws: every use of CnnLab then fails with that cause and its fix (inside
    /// a TypeInitializationException), instead of TorchSharp's "doesn't contain a reference to libtorch-cpu-linux-x64"
    /// and the half-gigabyte copy of libtorch its loader leaves beside the application while trying again.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255",
        Justification = "A library must fix libtorch's loading before any of its own code can reach TorchSharp.")]
    internal static void Initialize()
    {
        if (LibTorchLoader.Prepare() is { } failure)
        {
            throw new InvalidOperationException(failure);
        }
    }
}
