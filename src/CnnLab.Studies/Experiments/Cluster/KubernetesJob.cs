using System.Globalization;
using CnnLab.Formats;
using CnnLab.Studies.Reporting;
using YamlDotNet.Serialization;

namespace CnnLab.Studies.Experiments.Cluster;

/// <summary>The settings of a study's Kubernetes Job (<c>--kubernetes</c>).</summary>
public sealed record KubernetesSettings(string Image, int Parallelism, string VolumeClaim, int CpusPerTask, int RetriesPerIndex = 3);

/// <summary>
/// A study as Kubernetes Jobs in DIR/kubernetes: <c>study-job.yaml</c>, a batch/v1 Indexed Job with one completion per
/// task (<c>--task env</c> reads JOB_COMPLETION_INDEX) and retries counted per index, and <c>report-job.yaml</c>,
/// a one-pod Job for the report, applied once the first completes. The results folder is a PersistentVolumeClaim
/// mounted at the same path in every pod, with the study file's copy (DIR/study.yaml) in it, so pods need nothing
/// else from this machine. The claim must be ReadWriteMany (NFS, CephFS, a cloud file share) when pods run on
/// several nodes: each pod writes its run-seed's folder and reads the shared study.json.
/// </summary>
public static class KubernetesJob
{
    /// <summary>Writes both manifests and returns their paths.</summary>
    public static (string Study, string Report) Write(StudyDefinition study, WorkerCommand worker, KubernetesSettings settings) =>
        Write(study, worker, settings, StudyTask.All(study).Count, w => w.TaskArguments("env", settings.CpusPerTask),
            w => w.ReportArguments());

    /// <summary>
    /// Writes an Indexed Job of <paramref name="completions"/> pods, each running <paramref name="podArguments"/>, and a
    /// one-pod Job running <paramref name="reportArguments"/>: a study's tasks and report, or a search's workers (each
    /// works the shared journal until the search is over) and its verdict.
    /// </summary>
    public static (string Study, string Report) Write(StudyDefinition study, WorkerCommand worker, KubernetesSettings settings,
        int completions, Func<WorkerCommand, IReadOnlyList<string>> podArguments,
        Func<WorkerCommand, IReadOnlyList<string>> reportArguments)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(podArguments);
        ArgumentNullException.ThrowIfNull(reportArguments);
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Parallelism < 1 || settings.CpusPerTask < 1 || settings.RetriesPerIndex < 0)
        {
            throw new ArgumentException($"`parallelism` and `cpusPerTask` must be at least 1; received {settings.Parallelism} and " +
                $"{settings.CpusPerTask}.");
        }
        var tasks = completions;
        var name = Name(study);
        // In the pod the study file is the results folder's copy, and the program the image's cnnlab.
        worker = worker with { StudyFile = Path.Combine(worker.ResultsFolder, ResultsFolder.StudyCopy) };
        var folder = Path.Combine(worker.ResultsFolder, "kubernetes");
        Directory.CreateDirectory(folder);
        var studyJob = Job(name, settings, podArguments(worker), new Dictionary<string, object>
        {
            ["completionMode"] = "Indexed",
            ["completions"] = tasks,
            ["parallelism"] = Math.Min(settings.Parallelism, tasks),
            // Retries per index: one task failing its retries does not stop the others (Kubernetes 1.33+; older
            // clusters ignore the field and count backoffLimit over the whole Job).
            ["backoffLimitPerIndex"] = settings.RetriesPerIndex,
        }, worker);
        var reportJob = Job(name + "-report", settings, reportArguments(worker), new Dictionary<string, object>
        {
            ["completions"] = 1,
            ["backoffLimit"] = settings.RetriesPerIndex,
        }, worker);
        // Quoted where a plain scalar would read as a number or boolean: Kubernetes wants "2" in args, not 2.
        var serializer = new SerializerBuilder().WithQuotingNecessaryStrings().Build();
        var studyPath = Path.Combine(folder, "study-job.yaml");
        var reportPath = Path.Combine(folder, "report-job.yaml");
        AtomicFile.WriteText(studyPath,
            $"# Written by cnnlab --kubernetes: {tasks} pod(s).\n" + serializer.Serialize(studyJob));
        AtomicFile.WriteText(reportPath, "# Apply when the study Job has completed: kubectl wait --for=condition=complete job/" + name +
            "\n" + serializer.Serialize(reportJob));
        return (studyPath, reportPath);
    }

    /// <summary>
    /// The Job's name, a DNS label as Kubernetes requires (RFC 1123: lowercase ASCII letters, digits and '-'): "cnnlab-"
    /// and the study's slug with accents dropped (Étude: etude) and other letters left out, then, when any were left
    /// out, a short hash of the name so that two studies stay two Jobs; cut to leave room for the report's suffix.
    /// </summary>
    public static string Name(StudyDefinition study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var slug = StudyRunner.Slug(study.Name);
        var decomposed = slug.Normalize(System.Text.NormalizationForm.FormD);
        var ascii = new string(decomposed.Where(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-').ToArray());
        var lost = decomposed.Any(c => char.IsLetterOrDigit(c) && !char.IsAscii(c));
        var name = string.Join("-", ("cnnlab-" + ascii).Split('-', StringSplitOptions.RemoveEmptyEntries));
        if (lost)
        {
            var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(study.Name));
            name = name[..Math.Min(name.Length, 41)].TrimEnd('-') + "-" + Convert.ToHexString(hash, 0, 4).ToLowerInvariant();
        }
        return name[..Math.Min(name.Length, 50)].TrimEnd('-');
    }

    private static Dictionary<string, object> Job(string name, KubernetesSettings settings, IReadOnlyList<string> arguments,
        Dictionary<string, object> spec, WorkerCommand worker)
    {
        var cpu = settings.CpusPerTask.ToString(CultureInfo.InvariantCulture);
        spec["template"] = new Dictionary<string, object>
        {
            ["metadata"] = new Dictionary<string, object> { ["labels"] = Labels(name) },
            ["spec"] = new Dictionary<string, object>
            {
                // Per-index retries need Never: the Job controller, not the kubelet, starts the next try.
                ["restartPolicy"] = "Never",
                ["containers"] = new List<object>
                {
                    new Dictionary<string, object>
                    {
                        ["name"] = "cnnlab",
                        ["image"] = settings.Image,
                        ["command"] = new List<string> { "cnnlab" },
                        ["args"] = arguments.ToList(),
                        ["resources"] = new Dictionary<string, object>
                        {
                            ["requests"] = new Dictionary<string, object> { ["cpu"] = cpu, ["memory"] = "2Gi" },
                            ["limits"] = new Dictionary<string, object> { ["cpu"] = cpu, ["memory"] = "4Gi" },
                        },
                        ["volumeMounts"] = new List<object>
                        {
                            new Dictionary<string, object> { ["name"] = "results", ["mountPath"] = worker.ResultsFolder },
                        },
                    },
                },
                ["volumes"] = new List<object>
                {
                    new Dictionary<string, object>
                    {
                        ["name"] = "results",
                        ["persistentVolumeClaim"] = new Dictionary<string, object> { ["claimName"] = settings.VolumeClaim },
                    },
                },
            },
        };
        return new Dictionary<string, object>
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new Dictionary<string, object> { ["name"] = name, ["labels"] = Labels(name) },
            ["spec"] = spec,
        };
    }

    private static Dictionary<string, object> Labels(string name) => new()
    {
        ["app.kubernetes.io/name"] = "cnnlab",
        ["app.kubernetes.io/instance"] = name,
    };
}
