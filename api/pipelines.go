package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/csvin"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/problem"
)

// pipelineHandler serves pipelines and the organisation's router.
type pipelineHandler struct {
	intake   *intake.Service
	bookings *bookings.Service
	imports  *importSlots
	// importTimeout is how long an import's body may take to arrive (limits.routing_import_timeout).
	importTimeout time.Duration
}

// importBusyRetry is what a refused import is asked to wait.
const importBusyRetry = 10 * time.Second

func (h *pipelineHandler) createPipeline(c *gin.Context) {
	var in intake.PipelineInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.intake.CreatePipeline(c, orgID(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}

func (h *pipelineHandler) listPipelines(c *gin.Context) {
	ps, err := h.intake.Pipelines(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, page[intake.Pipeline]{Items: ps})
}

// getPipeline answers the pipeline's board: its stages and their items in order.
func (h *pipelineHandler) getPipeline(c *gin.Context) {
	p, err := h.intake.Board(c, orgID(c), c.Param("key"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

type examplesInput struct {
	Examples []intake.Example `json:"examples"`
}

// importExamples takes JSON {"examples":[{"text","pipeline"}]} or CSV with the
// header text,pipeline. A body declared over the limit was refused before (limitBody).
func (h *pipelineHandler) importExamples(c *gin.Context) {
	release, busy := h.imports.take(orgID(c)) // before the body is read: a waiting import holds no memory
	if release == nil {
		c.Header("Connection", "close") // answer at once: the server would otherwise read the body first
		respondError(c, &problem.Error{Kind: problem.ErrRateLimited, Detail: busy, RetryAfter: importBusyRetry})
		return
	}
	defer release()
	// A slot is held while the body arrives: a slow sender holds it this long at most.
	rc := http.NewResponseController(c.Writer)
	if err := rc.SetReadDeadline(time.Now().Add(h.importTimeout)); err != nil {
		respondError(c, fmt.Errorf("api: import read deadline: %w", err))
		return
	}
	examples, err := readExamples(c)
	if err != nil {
		// The rest of the body may never come: close the connection instead of
		// letting the server read it before answering (a stalled sender would hold it).
		c.Header("Connection", "close")
		respondError(c, err)
		return
	}
	_ = rc.SetReadDeadline(time.Time{}) // the connection's next requests have the server's own timeouts
	n, err := h.intake.ImportExamples(c, orgID(c), examples)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"imported": n})
}

func readExamples(c *gin.Context) ([]intake.Example, error) {
	mediaType, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mediaType == "text/csv" {
		return readExamplesCSV(c.Request.Body)
	}
	var in examplesInput
	if err := decodeJSON(c, &in); err != nil {
		return nil, err
	}
	return in.Examples, nil
}

func readExamplesCSV(body io.Reader) ([]intake.Example, error) {
	r := csvin.NewReader(body)
	r.FieldsPerRecord = 2
	header, err := r.Read()
	if err != nil {
		return nil, csvProblem(err)
	}
	if len(header) != 2 || strings.TrimSpace(header[0]) != "text" || strings.TrimSpace(header[1]) != "pipeline" {
		return nil, problem.Invalid("the CSV must start with the header text,pipeline", problem.FieldError{Field: "header", Message: "must be exactly text,pipeline"})
	}
	var out []intake.Example
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvProblem(err)
		}
		out = append(out, intake.Example{Text: rec[0], Pipeline: strings.TrimSpace(rec[1])})
	}
}

func csvProblem(err error) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) || errors.Is(err, os.ErrDeadlineExceeded) {
		return jsonProblem(err) // the same 413 or 408 as JSON bodies
	}
	if errors.Is(err, io.EOF) {
		return problem.Invalid("the CSV is empty", problem.FieldError{Field: "header", Message: "must be exactly text,pipeline"})
	}
	return problem.Invalid("malformed CSV: " + err.Error())
}

type classifyInput struct {
	Text string `json:"text"`
}

func (h *pipelineHandler) classify(c *gin.Context) {
	var in classifyInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	d, err := h.intake.Classify(c, orgID(c), in.Text)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *pipelineHandler) getSettings(c *gin.Context) {
	st, err := h.intake.RoutingSettings(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *pipelineHandler) putSettings(c *gin.Context) {
	var in intake.Settings
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	st, err := h.intake.SaveRoutingSettings(c, orgID(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// dashboardView is the intake figures with the bookings' beside them.
type dashboardView struct {
	*intake.Dashboard
	Bookings bookings.Dashboard `json:"bookings"`
}

func (h *pipelineHandler) dashboard(c *gin.Context) {
	d, err := h.intake.Dashboard(c, orgID(c), 30)
	if err != nil {
		respondError(c, err)
		return
	}
	b, err := h.bookings.Dashboard(c, orgID(c), time.Now())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, dashboardView{Dashboard: &d, Bookings: b})
}

func (h *pipelineHandler) moveItem(c *gin.Context) {
	id, ok := pathUUID(c, "id", "item")
	if !ok {
		return
	}
	var in intake.MoveInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	item, err := h.intake.MoveItem(c, orgID(c), id, userID(c), in, c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, item)
}

func (h *pipelineHandler) updateItem(c *gin.Context) {
	id, ok := pathUUID(c, "id", "item")
	if !ok {
		return
	}
	var in intake.ItemUpdate
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	item, err := h.intake.UpdateItem(c, orgID(c), id, userID(c), in, c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, item)
}

func (h *pipelineHandler) updatePipeline(c *gin.Context) {
	var in intake.PipelineUpdate
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.intake.UpdatePipeline(c, orgID(c), c.Param("key"), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *pipelineHandler) deletePipeline(c *gin.Context) {
	if err := h.intake.DeletePipeline(c, orgID(c), c.Param("key")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
