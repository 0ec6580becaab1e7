using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace CnnLab.Studies.Experiments;

/// <summary>A study file's <c>search</c> section: the space over run keys, checked against <c>base</c> as it is read.</summary>
public static partial class StudyParser
{
    /// <summary>The most trial runs built to check a space against its base when the file is read.</summary>
    private const int MaxSpaceChecks = 500;

    /// <summary>A search file's section, after checking the file has no other runs; adds the baseline (`base`) to
    /// <paramref name="runs"/>.</summary>
    private static SearchDefinition ParseSearch(Dictionary<string, YamlNode> top, Reader reader, TrainingSettings training,
        List<RunDefinition> runs, string source)
    {
        if (top.Keys.FirstOrDefault(k => k is "runs" or "variants" or "grid") is { } other)
        {
            throw new StudyFileException($"{source}: a search file's only run is `base`, its baseline and the start of every trial; " +
                $"remove `{other}` (or the `search`).");
        }
        var baseline = top.TryGetValue("base", out var b) ? b as YamlMappingNode : null;
        if (baseline is null)
        {
            throw new StudyFileException($"{source}: `search` needs a `base` run (a mapping with name, model, optimizer, ...): the " +
                "baseline the best configurations are tested against, and what each trial changes.");
        }
        runs.Add(reader.Run(baseline, 0, training));
        return reader.Search(top["search"], baseline, training);
    }

    private sealed partial class Reader
    {
        public SearchDefinition Search(YamlNode node, YamlMappingNode baseRun, TrainingSettings training)
        {
            var map = Map(node, "search", "search");
            var space = map.TryGetValue("space", out var spaceNode)
                ? SearchSpace.Parse(spaceNode, _source)
                : throw Error(node, "`search` needs `space`: the run keys to search and their values, e.g. " +
                    "`space: {learning_rate: {float: [0.0001, 0.01], log: true}}`");
            if (space.Parameters.FirstOrDefault(p => p.Key is "training.epochs" or "training") is { } epochs)
            {
                throw Error(spaceNode!, $"`{epochs.Key}` cannot be searched: the epochs are the search's fidelity (rungs end at " +
                    "`scheduler.min_epochs` times `reduction_factor` to the power of the rung, the last at `base`'s epochs); " +
                    "set them in `base`");
            }
            if (Choice(map, "search", "objective")!.StartsWith("val_", StringComparison.Ordinal) && training.ValidationSplit == 0
                && !(baseRun.Children.TryGetValue("training", out var own) && own is YamlMappingNode ownMap
                    && ownMap.Children.ContainsKey("validation_split")))
            {
                throw Error(node, "the objective is measured on the validation split, and `training.validation_split` is 0; give a " +
                    "validation_split above 0 (the test split is never used to choose), or `objective: accuracy`");
            }
            var scheduler = map.TryGetValue("scheduler", out var s) ? Map(s, "search.scheduler", "scheduler") : new();
            var budget = map.TryGetValue("budget", out var b) ? Map(b, "search.budget", "budget") : new();
            var verdict = map.TryGetValue("verdict", out var v) ? Map(v, "search.verdict", "verdict") : new();
            var trials = Integer(budget, "budget", "trials");
            if (trials > StudyLimits.MaxRunSeeds)
            {
                throw Error(budget["trials"], $"`search.budget.trials` is {trials:N0}, more than the {StudyLimits.MaxRunSeeds:N0} " +
                    "trials a search may sample; give fewer, or a budget in epochs or hours");
            }
            var seeds = Integer(map, "search", "seeds");
            if (StudyLimits.CheckRunSeeds(trials, seeds) is { } tooMany)
            {
                throw Error(node, tooMany.TrimEnd('.'));
            }
            var baseJson = (JsonObject)YamlJson.ToJson(baseRun, 0, (n, m) => Error(n, m))!;
            var definition = new SearchDefinition(
                (JsonObject)YamlJson.ToJson(spaceNode!, 0, (n, m) => Error(n, m))!, baseJson,
                Choice(map, "search", "objective")!, Choice(map, "search", "sampler")!, seeds, Number(map, "search", "alpha"),
                Integer(map, "search", "seed"), Choice(scheduler, "scheduler", "type")!, Integer(scheduler, "scheduler", "min_epochs"),
                Integer(scheduler, "scheduler", "reduction_factor"), trials, OptionalInteger(budget, "budget", "epochs"),
                OptionalNumber(budget, "budget", "hours"), Integer(verdict, "verdict", "top"), Integer(verdict, "verdict", "seeds"))
            {
                MaxTrainSeconds = OptionalNumber(map, "search", "max_train_seconds"),
                ParsedSpace = space,
                TrialRun = (drawn, name) => TrialRun(space, baseJson, drawn, name, training, null),
            };
            CheckAgainstBase(space, baseJson, training, (YamlMappingNode)spaceNode!);
            return definition;
        }

        /// <summary>Every value of every parameter (each alone, up to <see cref="MaxSpaceChecks"/>) makes a run from base.</summary>
        private void CheckAgainstBase(SearchSpace space, JsonObject baseJson, TrainingSettings training, YamlMappingNode spaceNode)
        {
            var checks = 0;
            foreach (var parameter in space.Parameters)
            {
                var at = spaceNode.Children.First(c => ((YamlScalarNode)c.Key).Value == parameter.Key).Key;
                var values = parameter.Kind == ParameterKind.Choice
                    ? Enumerable.Range(0, parameter.Choices.Count).Select(i => (double)i)
                    : new[] { parameter.Low, parameter.High };
                foreach (var value in values)
                {
                    if (++checks > MaxSpaceChecks)
                    {
                        return;
                    }
                    var drawn = new Dictionary<string, double> { [parameter.Key] = value };
                    WithCondition(space, parameter, drawn);
                    TrialRun(space, baseJson, drawn, "check", training, at);
                }
            }
        }

        /// <summary>
        /// Adds to a check's <paramref name="drawn"/> what makes <paramref name="parameter"/> apply: its condition's
        /// parameter at the first value the condition takes (and so on up), and the parameters under the same condition at
        /// their first value (`nesterov` is checked with `optimizer: sgd` and a `momentum`).
        /// </summary>
        private static void WithCondition(SearchSpace space, SearchParameter parameter, Dictionary<string, double> drawn)
        {
            for (var current = parameter; current.When is { } when && !drawn.ContainsKey(when.Key); current = space[when.Key])
            {
                var parent = space[when.Key];
                drawn[when.Key] = parent.Kind == ParameterKind.Choice
                    ? Enumerable.Range(0, parent.Choices.Count).First(i => when.Holds(parent.Choices[i]))
                    : when.Values[0]!.GetValue<double>();
                foreach (var sibling in space.Parameters.Where(p => p.When?.Key == when.Key && !drawn.ContainsKey(p.Key)))
                {
                    drawn[sibling.Key] = sibling.Kind == ParameterKind.Choice ? 0 : sibling.Low;
                }
            }
        }

        private RunDefinition TrialRun(SearchSpace space, JsonObject baseJson, IReadOnlyDictionary<string, double> drawn, string name,
            TrainingSettings training, YamlNode? at)
        {
            var run = (JsonObject)baseJson.DeepClone();
            run["name"] = name;
            foreach (var parameter in space.Parameters.Where(p => drawn.ContainsKey(p.Key)))
            {
                var value = parameter.ValueOf(drawn[parameter.Key]);
                if (SearchDefinition.Set(run, parameter.Key, value) is { } problem)
                {
                    throw at is null ? new StudyFileException($"{_source}: {problem}.") : Error(at, problem);
                }
            }
            // JSON is YAML: the run goes through the same reader as a run written in the file.
            var stream = new YamlStream();
            stream.Load(new StringReader(run.ToJsonString()));
            try
            {
                return Run(stream.Documents[0].RootNode, 0, training);
            }
            catch (StudyFileException e) when (at is not null)
            {
                var value = string.Join(", ", drawn.Select(d => $"{d.Key} = " +
                    (space[d.Key].ValueOf(d.Value)?.ToJsonString() ?? "null")));
                var reason = e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..].TrimEnd('.');
                throw Error(at, string.Create(CultureInfo.InvariantCulture, $"with {value}, `base` is not a valid run: {reason}"));
            }
        }
    }
}
