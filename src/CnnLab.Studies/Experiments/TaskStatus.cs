using CnnLab.Training;

namespace CnnLab.Studies.Experiments;

/// <summary>Where a task stands in a results folder.</summary>
public enum TaskState
{
    /// <summary>Nothing written yet.</summary>
    NotStarted,

    /// <summary>A live process holds the run-seed's lock.</summary>
    InProgress,

    /// <summary>A checkpoint and no live holder: the process stopped (killed,
    /// preempted) and the task continues from it when run again.</summary>
    Interrupted,

    /// <summary>Its metrics are written (<see cref="ResultsFolder.Metrics"/>).</summary>
    Finished,
}

/// <summary>A task's state in a results folder, with the epochs its checkpoint holds and who trains it.</summary>
public sealed record TaskStatus(StudyTask Task, TaskState State, int CompletedEpochs, string? Holder)
{
    /// <summary>Reads the state of every task of <paramref name="study"/> in
    /// <paramref name="folder"/>, taking no lock for longer than a look.</summary>
    public static IReadOnlyList<TaskStatus> Read(StudyDefinition study, string folder) =>
        StudyTask.All(study).Select(t => Of(t, StudyRunner.RunFolder(folder, t.Run.Name, t.Seed))).ToList();

    private static TaskStatus Of(StudyTask task, string runFolder)
    {
        if (ResultsFolder.IsFinished(runFolder))
        {
            return new TaskStatus(task, TaskState.Finished, task.Run.Training.Epochs, null);
        }
        var epochs = Directory.Exists(runFolder)
            ? EpochCheckpoint.CompletedEpochs(Path.Combine(runFolder, ResultsFolder.Checkpoint)) ?? 0
            : 0;
        if (RunLock.IsHeld(runFolder))
        {
            return new TaskStatus(task, TaskState.InProgress, epochs, RunLock.Holder(runFolder));
        }
        return new TaskStatus(task, epochs > 0 ? TaskState.Interrupted : TaskState.NotStarted, epochs, null);
    }

    /// <summary>The status column of <c>--list</c>.</summary>
    public string Describe() => State switch
    {
        TaskState.Finished => "finished",
        TaskState.InProgress => $"in progress, {CompletedEpochs}/{Task.Run.Training.Epochs} epochs done ({Holder})",
        TaskState.Interrupted => $"interrupted after epoch {CompletedEpochs}/{Task.Run.Training.Epochs}; continues from there",
        _ => "not started",
    };
}
