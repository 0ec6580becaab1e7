using CnnLab.Models;

namespace CnnLab.Tests.Architecture;

/// <summary>
/// The top-level namespaces (CnnLab.Layers, CnnLab.Training, ...) of every CnnLab assembly form a layered graph: a
/// namespace never depends, directly or through others, on one that depends on it.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly string[] Assemblies =
    {
        typeof(Sequential).Assembly.Location,
        typeof(CnnLab.Studies.Experiments.StudyRunner).Assembly.Location,
        typeof(CnnLab.OnnxRuntime.OnnxClassifier).Assembly.Location,
        typeof(CnnLab.Dashboard.DashboardServer).Assembly.Location,
        typeof(CnnLab.Cli.Commands.CommandErrors).Assembly.Location,
    };

    [Fact]
    public void Top_level_namespaces_form_no_cycle()
    {
        var graph = NamespaceGraph.Read(Assemblies);
        var cycles = graph.Cycles();
        var message = string.Join("\n", cycles.Select(cycle =>
            $"Cycle between {string.Join(", ", cycle)}:\n" + string.Join("\n", graph.Edges
                .Where(e => cycle.Contains(e.Key.From) && cycle.Contains(e.Key.To))
                .OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal)
                .Select(e => $"  {e.Key.From} -> {e.Key.To} ({e.Value.Count} references, e.g. {e.Value.Example})"))));
        Assert.True(cycles.Count == 0,
            "Namespaces must form layers; move the type that closes each cycle to the lower namespace, or make the " +
            "higher one pass what the lower one needs (an interface, a delegate).\n" + message);
    }

    [Fact]
    public void The_graph_sees_references_in_method_bodies()
    {
        // Sequential.Fit news up the trainer: a body-only reference that signatures alone would miss.
        var graph = NamespaceGraph.Read(typeof(Sequential).Assembly.Location);
        Assert.Contains(("CnnLab.Models", "CnnLab.Training"), graph.Edges.Keys);
    }

    [Fact]
    public void A_package_named_like_its_namespaces_has_rooms_one_level_down()
    {
        var graph = NamespaceGraph.Read(Assemblies);

        Assert.Contains(("CnnLab.Studies.Reporting", "CnnLab.Studies.Experiments"), graph.Edges.Keys);
        Assert.DoesNotContain(graph.Namespaces, n => n == "CnnLab.Studies");
    }

    [Fact]
    public void Each_package_ships_only_namespaces_under_its_name()
    {
        var packages = Assemblies.Select(path =>
            (Package: Path.GetFileNameWithoutExtension(path), Module: Mono.Cecil.ModuleDefinition.ReadModule(path)));
        var strays = packages.SelectMany(p =>
        {
            using var module = p.Module;
            // The CLI is the tool package's program: its namespace is CnnLab.Cli, whatever the package is called. Its entry
            // point (top-level statements) is the global `Program`, which ASP.NET Core's generator in .NET 10 makes public.
            return module.Types
                .Where(t => (t.IsPublic && t.FullName != "Program") || t.Namespace.StartsWith("CnnLab", StringComparison.Ordinal))
                .Select(t => t.Namespace).Distinct()
                .Where(n => n != p.Package && !n.StartsWith(p.Package + ".", StringComparison.Ordinal) && p.Package != "CnnLab")
                .Select(n => $"{p.Package}: {n}").ToList();
        }).ToList();

        Assert.Empty(strays);
    }
}
