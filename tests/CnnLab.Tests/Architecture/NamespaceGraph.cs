using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CnnLab.Tests.Architecture;

/// <summary>
/// Which top-level namespaces of CnnLab's assemblies use which, read from the compiled IL (signatures, fields, base
/// types, attributes and method bodies), with one example reference per edge so a failure says where to look.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<(string From, string To), (int Count, string Example)> _edges = new();

    public static NamespaceGraph Read(params string[] assemblyPaths)
    {
        var graph = new NamespaceGraph();
        foreach (var path in assemblyPaths)
        {
            using var module = ModuleDefinition.ReadModule(path);
            foreach (var type in module.GetTypes())
            {
                graph.AddType(type);
            }
        }
        return graph;
    }

    /// <summary>Edges between different namespaces: (from, to) with the number of references and one of them.</summary>
    public IReadOnlyDictionary<(string From, string To), (int Count, string Example)> Edges => _edges;

    public IEnumerable<string> Namespaces => _edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order();

    /// <summary>Packages whose namespaces start with the package's name: their rooms are one level deeper.</summary>
    private static readonly string[] PackageRoots = { "CnnLab.Studies" };

    /// <summary>
    /// The room a type lives in: "CnnLab.Layers" for CnnLab.Layers.X, "CnnLab.Studies.Reporting" for a type of the
    /// CnnLab.Studies package; null for types outside CnnLab or without a namespace.
    /// </summary>
    public static string? TopLevel(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }
        var parts = type.Namespace.Split('.');
        if (parts.Length < 2 || parts[0] != "CnnLab")
        {
            return null;
        }
        var depth = PackageRoots.Any(r => type.Namespace.StartsWith(r + ".", StringComparison.Ordinal)) ? 3 : 2;
        return string.Join('.', parts.Take(Math.Min(depth, parts.Length)));
    }

    /// <summary>The strongly connected components with more than one namespace: each is a cycle to break.</summary>
    public List<List<string>> Cycles()
    {
        var names = Namespaces.ToList();
        var next = names.ToDictionary(n => n, n => _edges.Keys.Where(e => e.From == n).Select(e => e.To).ToList());
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        var counter = 0;
        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in next[v])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }
            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    result.Add(component);
                }
            }
        }
        foreach (var name in names.Where(n => !index.ContainsKey(n)))
        {
            Visit(name);
        }
        return result;
    }

    private void AddType(TypeDefinition type)
    {
        var from = TopLevel(type);
        if (from is null)
        {
            return;
        }
        var where = type.FullName;
        Add(from, type.BaseType, where);
        foreach (var i in type.Interfaces)
        {
            Add(from, i.InterfaceType, where);
        }
        AddAttributes(from, type, where);
        foreach (var field in type.Fields)
        {
            Add(from, field.FieldType, $"{where}.{field.Name}");
            AddAttributes(from, field, $"{where}.{field.Name}");
        }
        foreach (var property in type.Properties)
        {
            Add(from, property.PropertyType, $"{where}.{property.Name}");
        }
        foreach (var method in type.Methods)
        {
            AddMethod(from, method, $"{where}.{method.Name}");
        }
    }

    private void AddMethod(string from, MethodDefinition method, string where)
    {
        Add(from, method.ReturnType, where);
        foreach (var parameter in method.Parameters)
        {
            Add(from, parameter.ParameterType, where);
        }
        AddAttributes(from, method, where);
        if (!method.HasBody)
        {
            return;
        }
        foreach (var variable in method.Body.Variables)
        {
            Add(from, variable.VariableType, where);
        }
        foreach (var instruction in method.Body.Instructions)
        {
            switch (instruction.Operand)
            {
                case TypeReference t:
                    Add(from, t, where);
                    break;
                case MethodReference m:
                    Add(from, m.DeclaringType, where);
                    Add(from, m.ReturnType, where);
                    foreach (var p in m.Parameters)
                    {
                        Add(from, p.ParameterType, where);
                    }
                    if (m is GenericInstanceMethod g)
                    {
                        foreach (var a in g.GenericArguments)
                        {
                            Add(from, a, where);
                        }
                    }
                    break;
                case FieldReference f:
                    Add(from, f.DeclaringType, where);
                    Add(from, f.FieldType, where);
                    break;
            }
        }
    }

    private void AddAttributes(string from, ICustomAttributeProvider provider, string where)
    {
        foreach (var attribute in provider.CustomAttributes)
        {
            Add(from, attribute.AttributeType, where);
        }
    }

    private void Add(string from, TypeReference? type, string where)
    {
        if (type is null)
        {
            return;
        }
        switch (type)
        {
            case GenericInstanceType generic:
                foreach (var argument in generic.GenericArguments)
                {
                    Add(from, argument, where);
                }
                Add(from, generic.ElementType, where);
                return;
            case TypeSpecification specification:
                Add(from, specification.ElementType, where);
                return;
        }
        var to = TopLevel(type);
        if (to is null || to == from)
        {
            return;
        }
        var key = (from, to);
        _edges[key] = _edges.TryGetValue(key, out var seen)
            ? (seen.Count + 1, seen.Example)
            : (1, $"{where} uses {type.FullName}");
    }
}
