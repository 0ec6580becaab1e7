using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CnnLab.Studies.Experiments;

/// <summary>
/// Reads a YAML text's events once, without building anything, and refuses what would exhaust the machine before
/// YamlDotNet builds the node tree: nesting deeper than <see cref="StudyLimits.MaxNestingDepth"/> (the tree is
/// built recursively, so a deep file overflows the stack), anchors whose aliases expand to more than
/// <see cref="StudyLimits.MaxExpandedNodes"/> nodes ("billion laughs"), and keys that are not plain text.
/// </summary>
internal static class YamlGuard
{
    private sealed class Frame
    {
        public Frame(bool isMapping, string? anchor)
        {
            IsMapping = isMapping;
            Anchor = anchor;
        }

        public bool IsMapping { get; }

        public string? Anchor { get; }

        public long Size { get; set; } = 1;

        // Inside a mapping, events alternate key, value; this counts them.
        public long Children { get; set; }
    }

    public static void Check(string yaml, string source)
    {
        // YAML allows no control characters but tab and line breaks; YamlDotNet's scanner fails on some with an InvalidOperationException.
        var control = yaml.AsSpan().IndexOfAnyInRange('\u0000', '\u0008');
        control = control >= 0 ? control : yaml.AsSpan().IndexOfAny('\u000B', '\u000C');
        control = control >= 0 ? control : yaml.AsSpan().IndexOfAnyInRange('\u000E', '\u001F');
        if (control >= 0)
        {
            var line = yaml.AsSpan(0, control).Count('\n') + 1;
            throw new StudyFileException($"{source}, line {line}: control character U+{(int)yaml[control]:X4} is not allowed in YAML. " +
                $"Is it a text file?");
        }
        var parser = new Parser(new StringReader(yaml));
        var frames = new Stack<Frame>();
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                long size;
                string? anchor = null;
                switch (current)
                {
                    case SequenceStart or MappingStart:
                        RequireKeyIsText(frames, current, source);
                        if (frames.Count >= StudyLimits.MaxNestingDepth)
                        {
                            throw new StudyFileException(
                                $"{source}, line {current.Start.Line}: nesting deeper than {StudyLimits.MaxNestingDepth} levels; " +
                                $"a study file needs far fewer. Flatten the lists and mappings.");
                        }
                        var nodeAnchor = current is SequenceStart s ? s.Anchor : ((MappingStart)current).Anchor;
                        frames.Push(new Frame(current is MappingStart, nodeAnchor.IsEmpty ? null : nodeAnchor.Value));
                        continue;
                    case SequenceEnd or MappingEnd:
                        var done = frames.Pop();
                        size = done.Size;
                        anchor = done.Anchor;
                        break;
                    case Scalar scalar:
                        size = 1;
                        anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
                        break;
                    case AnchorAlias alias:
                        RequireKeyIsText(frames, current, source);
                        if (!anchors.TryGetValue(alias.Value.Value, out size))
                        {
                            throw new StudyFileException($"{source}, line {current.Start.Line}: alias *{alias.Value.Value} refers to no " +
                                $"anchor defined before it.");
                        }
                        break;
                    default:
                        continue;
                }
                if (anchor is not null)
                {
                    anchors[anchor] = size;
                }
                if (frames.Count > 0)
                {
                    var parent = frames.Peek();
                    parent.Size += size;
                    parent.Children++;
                }
                // A node's size already holds its children's, so only the documents' roots add to the total: counting every
                // level again made 300,000 plain values four levels deep look like an alias expanding to 1.2 million.
                if (frames.Count == 0)
                {
                    total += size;
                }
                if (total > StudyLimits.MaxExpandedNodes || frames.Count > 0 && frames.Peek().Size > StudyLimits.MaxExpandedNodes)
                {
                    throw new StudyFileException(
                        $"{source}, line {current.Start.Line}: the anchors and aliases expand to " +
                        $"more than {StudyLimits.MaxExpandedNodes:N0} values; a study file needs far fewer. Write the values out or use " +
                        $"fewer aliases.");
                }
            }
        }
        catch (YamlException e)
        {
            throw new StudyFileException($"{source}: not valid YAML at line {e.Start.Line}: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner reports some malformed input this way instead of as a YamlException.
            throw new StudyFileException($"{source}: not valid YAML ({e.Message}).");
        }
    }

    // A mapping's even-numbered events are its keys; Map() reads them as names, so only plain text can be one.
    private static void RequireKeyIsText(Stack<Frame> frames, ParsingEvent current, string source)
    {
        if (frames.Count > 0 && frames.Peek() is { IsMapping: true } mapping && mapping.Children % 2 == 0)
        {
            throw new StudyFileException($"{source}, line {current.Start.Line}: a key must be plain text, not a list, " +
                $"a mapping or an alias.");
        }
    }
}
