package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Search attributes make workflows findable by organisation, status and
// pipeline in the Temporal Web UI and in visibility queries. Every namespace
// the worker uses needs them registered (the worker does it at start; the
// embedded dev and test servers register them with the namespace).
var (
	OrgAttribute          = temporal.NewSearchAttributeKeyKeyword("AstralisOrg")
	IntakeStatusAttribute = temporal.NewSearchAttributeKeyKeyword("AstralisIntakeStatus")
	PipelineAttribute     = temporal.NewSearchAttributeKeyKeyword("AstralisPipeline")
	// DocumentStatusAttribute and DocumentPagesDoneAttribute show a document's progress.
	DocumentStatusAttribute    = temporal.NewSearchAttributeKeyKeyword("AstralisDocumentStatus")
	DocumentPagesDoneAttribute = temporal.NewSearchAttributeKeyInt64("AstralisDocumentPagesDone")
)

// SearchAttributes lists them with their types, for registration.
var SearchAttributes = map[string]enumspb.IndexedValueType{
	OrgAttribute.GetName():               enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	IntakeStatusAttribute.GetName():      enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	PipelineAttribute.GetName():          enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	DocumentStatusAttribute.GetName():    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	DocumentPagesDoneAttribute.GetName(): enumspb.INDEXED_VALUE_TYPE_INT,
}
