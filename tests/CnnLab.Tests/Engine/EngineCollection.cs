namespace CnnLab.Tests.Engine;

/// <summary>Tests that switch the process-wide convolution path run one at a time, not beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineCollection
{
    public const string Name = "engine";
}
