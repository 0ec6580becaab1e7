using System.CommandLine;
using CnnLab.Studies.Experiments.Schema;

namespace CnnLab.Cli.Commands;

/// <summary>
/// <c>cnnlab study schema --out DIR</c>: writes the study files' JSON Schema and key reference, both made from the
/// declared keys, to DIR/schemas/study.schema.json and DIR/docs/study-keys.md (the repository's copies: --out .).
/// </summary>
internal static class StudySchemaCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out")
        {
            Description = "The folder to write schemas/ and docs/ under (the repository's root: .).",
            DefaultValueFactory = _ => ".",
        };
        var command = new Command("schema", "Write the study file JSON Schema and key reference from the declared study keys.") { output };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var root = parse.GetValue(output)!;
            var files = new[] { (StudySchema.SchemaPath, StudySchema.JsonSchema()),
                (StudySchema.ReferencePath, StudySchema.KeyReference()) };
            foreach (var (path, text) in files)
            {
                var target = Path.Combine(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.WriteAllText(target, text);
                Console.WriteLine($"Wrote {target}");
            }
            return 0;
        }));
        return command;
    }
}
