using System.Globalization;
using System.Text.Json.Nodes;
using CnnLab.Models;
using CnnLab.Optimizers;
using CnnLab.Studies.Experiments.Schema;
using CnnLab.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Studies.Experiments;

/// <summary>Reading a key as <see cref="Schema.StudyKeys"/> declares it: its bounds, default and the name errors give it.</summary>
public static partial class StudyParser
{
    private sealed partial class Reader
    {
        /// <summary>The key's name as errors write it: `training.epochs`, `dropout`.</summary>
        private static string Label(StudyKey key) => StudyKeys.Section(key.Section).ErrorPrefix + key.Name;

        private static T? DefaultOf<T>(StudyKey key) => key.Default is T value ? value : default;

        public int Integer(Dictionary<string, YamlNode> map, string section, string name) =>
            OptionalInteger(map, section, name) ?? DefaultOf<int>(StudyKeys.Get(section, name));

        public int? OptionalInteger(Dictionary<string, YamlNode> map, string section, string name)
        {
            var key = StudyKeys.Get(section, name);
            return map.TryGetValue(name, out var node) ? Integer(node, Label(key), (int)key.Minimum!.Value) : null;
        }

        public double Number(Dictionary<string, YamlNode> map, string section, string name) =>
            OptionalNumber(map, section, name) ?? DefaultOf<double>(StudyKeys.Get(section, name));

        public double? OptionalNumber(Dictionary<string, YamlNode> map, string section, string name)
        {
            var key = StudyKeys.Get(section, name);
            return map.TryGetValue(name, out var node) ? Number(node, key) : null;
        }

        private double Number(YamlNode node, StudyKey key)
        {
            if (node is YamlScalarNode { Value: { } text } &&
                double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && key.InBounds(value))
            {
                return value;
            }
            throw Error(node, $"`{Label(key)}` must be a number in {key.Bounds}; received {Describe(node)}");
        }

        public bool Boolean(Dictionary<string, YamlNode> map, string section, string name)
        {
            var key = StudyKeys.Get(section, name);
            return map.TryGetValue(name, out var node) ? Boolean(node, Label(key)) : DefaultOf<bool>(key);
        }

        private string? Text(Dictionary<string, YamlNode> map, string section, string name)
        {
            var key = StudyKeys.Get(section, name);
            return map.TryGetValue(name, out var node) ? Text(node, Label(key)) : DefaultOf<string>(key);
        }

        /// <summary>One of the key's allowed values; its default (maybe null) when absent.</summary>
        private string? Choice(Dictionary<string, YamlNode> map, string section, string name)
        {
            var key = StudyKeys.Get(section, name);
            return map.TryGetValue(name, out var node) ? Choice(node, key) : DefaultOf<string>(key);
        }

        private string Choice(YamlNode node, StudyKey key)
        {
            var value = Text(node, Label(key));
            var allowed = key.Allowed!;
            var expected = $"{string.Join(", ", allowed.Take(allowed.Count - 1))} or {allowed[^1]}";
            return allowed.Contains(value) ? value : throw Error(node, $"`{Label(key)}` must be {expected}; received {value}");
        }

        /// <summary>
        /// The keys of <paramref name="section"/> that live in <see cref="RunDefinition.Settings"/>: only those the file
        /// gives a value other than the default, so a key added later leaves older studies' study.json as it was.
        /// </summary>
        private Dictionary<string, double> Settings(Dictionary<string, YamlNode> map, string section)
        {
            var settings = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var key in StudyKeys.Of(section).Where(k => k.InSettings))
            {
                if (!map.TryGetValue(key.Name, out var node))
                {
                    continue;
                }
                if (key.Type == StudyKeyType.Boolean)
                {
                    // A true/false key is kept as 1 or 0, and only when it is not the default.
                    if (Boolean(node, Label(key)) is var flag && !Equals(flag, key.Default))
                    {
                        settings[key.Name] = flag ? 1 : 0;
                    }
                }
                else if (Number(node, key) is var value && !Equals(value, key.Default))
                {
                    settings[key.Name] = value;
                }
            }
            return settings;
        }

        /// <summary>Builds the run's optimizer now, so that a key its optimizer does not take fails here, not at training.</summary>
        private void RequireOptimizerSettings(RunDefinition run, Dictionary<string, YamlNode> map)
        {
            try
            {
                RunRecipe.Optimizer(run);
            }
            catch (ArgumentException e)
            {
                var key = StudyKeys.Of("run").Where(k => k.Optimizer is not null && map.ContainsKey(k.Name)).Select(k => k.Name)
                    .FirstOrDefault(k => e.Message.Contains($"`{k}`", StringComparison.Ordinal)) ?? "optimizer";
                var node = map.TryGetValue(key, out var n) ? n : map["name"];
                throw Error(node, $"run \"{run.Name}\": {e.Message.Split(" (Parameter")[0]}");
            }
        }
    }
}
