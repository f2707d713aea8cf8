package workflows

// Definition is one workflow type the worker runs: the name it is registered
// under (what histories and schedules store), its function, and its task
// queue before the deployment's prefix.
type Definition struct {
	Name      string
	Func      any
	TaskQueue string
}

// Definitions lists every workflow type. The worker registers them from it and
// the replay test replays each one's recorded histories, so a type cannot be
// added without its histories being checked.
func Definitions() []Definition {
	return []Definition{
		{Name: "SendEmail", Func: SendEmail, TaskQueue: EmailTaskQueue},
		{Name: "PasswordReset", Func: PasswordReset, TaskQueue: EmailTaskQueue},
		{Name: SweepStrandedMailWorkflow, Func: SweepStrandedMail, TaskQueue: EmailTaskQueue},
		{Name: PruneWorkflow, Func: Prune, TaskQueue: EmailTaskQueue},
		{Name: "Intake", Func: Intake, TaskQueue: IntakeTaskQueue},
		{Name: SweepStrandedIntakeWorkflow, Func: SweepStrandedIntake, TaskQueue: IntakeTaskQueue},
		{Name: "Document", Func: Document, TaskQueue: DocumentTaskQueue},
		{Name: SweepStrandedDocumentsWorkflow, Func: SweepStrandedDocuments, TaskQueue: DocumentTaskQueue},
		{Name: ExpireOriginalsWorkflow, Func: ExpireOriginals, TaskQueue: DocumentTaskQueue},
		{Name: "Booking", Func: Booking, TaskQueue: BookingTaskQueue},
		{Name: SweepStrandedBookingsWorkflow, Func: SweepStrandedBookings, TaskQueue: BookingTaskQueue},
		{Name: CalendarSyncWorkflowType, Func: CalendarSync, TaskQueue: BookingTaskQueue},
	}
}
