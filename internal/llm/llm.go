// Package llm asks an OpenAI-compatible chat model (openai-go), with a
// JSON-schema answer, to route a request to one of an organisation's
// pipelines or to read a document's fields. Any failure (timeout, 429,
// refusal, malformed or impossible answer) is an error, and the caller falls
// back to its own local answer (the classifier, the built-in extractor).
package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/option"
	"github.com/openai/openai-go/shared"

	"github.com/astralisops/astralis/internal/classifier"
)

// Client asks a chat model: to route a request (Route), to read a document (Extract).
type Client struct {
	client       openai.Client
	defaultModel string
}

// Config reaches the model: an API key, and a base URL for any OpenAI-compatible server.
type Config struct {
	APIKey  string
	BaseURL string
	Model   string
	Timeout time.Duration
}

func New(cfg Config) *Client {
	opts := []option.RequestOption{
		option.WithAPIKey(cfg.APIKey),
		option.WithRequestTimeout(cfg.Timeout),
		option.WithMaxRetries(1), // the local classifier is the better fallback than a long retry
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(strings.TrimSuffix(cfg.BaseURL, "/")+"/"))
	}
	return &Client{client: openai.NewClient(opts...), defaultModel: cfg.Model}
}

// Result is the model's routing with what it cost.
type Result struct {
	classifier.Classification
	// Priority is one of classifier.Priorities, or "" when the model gave none usable.
	Priority         string
	Model            string
	PromptTokens     int64
	CompletionTokens int64
	// CostUSD is estimated from the model's list price; 0 when the price is unknown.
	CostUSD float64
}

// pricesPerMillion are list prices (input, output) in USD per million tokens.
var pricesPerMillion = map[string][2]float64{
	"gpt-4o-mini":  {0.15, 0.60},
	"gpt-4o":       {2.50, 10.00},
	"gpt-4.1-mini": {0.40, 1.60},
	"gpt-4.1-nano": {0.10, 0.40},
}

type answer struct {
	Pipeline   string  `json:"pipeline"`
	Priority   string  `json:"priority"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
}

// Route asks the model (model overrides the configured one when set).
func (r *Client) Route(ctx context.Context, pipelines []classifier.Pipeline, text, model string) (Result, error) {
	if model == "" {
		model = r.defaultModel
	}
	keys := make([]string, len(pipelines))
	var list strings.Builder
	for i, p := range pipelines {
		keys[i] = p.Key
		fmt.Fprintf(&list, "- %s: %s. %s\n", p.Key, p.Name, p.Description)
	}
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"pipeline":   map[string]any{"type": "string", "enum": keys},
			"priority":   map[string]any{"type": "string", "enum": classifier.Priorities},
			"confidence": map[string]any{"type": "number", "minimum": 0, "maximum": 1},
			"reason":     map[string]any{"type": "string"},
		},
		"required":             []string{"pipeline", "priority", "confidence", "reason"},
		"additionalProperties": false,
	}
	content, used, err := r.ask(ctx, model, "You route a service business's incoming client requests to exactly one pipeline. "+
		"Pipelines (key: name. description):\n"+list.String()+
		"Answer with the pipeline key, the request's priority (urgent: harm, loss or a stop to the client's business "+
		"if not handled within hours; high: time-bound or already failed once; low: the client says there is no hurry; "+
		"else normal), your confidence in the pipeline from 0 to 1, and a one-line reason.", text, "routing", schema)
	if err != nil {
		return Result{}, err
	}
	var a answer
	if err := json.Unmarshal([]byte(content), &a); err != nil {
		return Result{}, fmt.Errorf("llm: %w: not the requested JSON: %w", ErrInvalidAnswer, err)
	}
	if !slices.Contains(keys, a.Pipeline) {
		return Result{}, fmt.Errorf("llm: %w: unknown pipeline %q", ErrInvalidAnswer, a.Pipeline)
	}
	if a.Confidence < 0 || a.Confidence > 1 {
		return Result{}, fmt.Errorf("llm: %w: confidence %v out of range", ErrInvalidAnswer, a.Confidence)
	}
	d := Result{
		Classification:   classifier.Classification{Pipeline: a.Pipeline, Confidence: a.Confidence, Reason: a.Reason},
		Priority:         a.Priority,
		Model:            used.model,
		PromptTokens:     used.prompt,
		CompletionTokens: used.completion,
		CostUSD:          used.cost,
	}
	if !classifier.ValidPriority(d.Priority) {
		d.Priority = "" // the pipeline still stands; the rules set the priority
	}
	return d, nil
}

// usage is what one call used: the model that answered, its tokens, and the
// cost at the model's list price (0 when unknown).
type usage struct {
	model              string
	prompt, completion int64
	cost               float64
}

// ask sends one exchange (the instructions, the text) asking for a strict
// JSON-schema answer, and returns the answer's text and what the call used.
// A failed call is ErrRequest, a refusal ErrRefused, no answer ErrInvalidAnswer.
func (r *Client) ask(ctx context.Context, model, instructions, text, schemaName string, schema map[string]any) (string, usage, error) {
	resp, err := r.client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    shared.ChatModel(model),
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage(instructions), openai.UserMessage(text)},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
				Name: schemaName, Strict: openai.Bool(true), Schema: schema,
			}},
		},
	})
	if err != nil {
		return "", usage{}, fmt.Errorf("llm: %w: %w", ErrRequest, err)
	}
	if len(resp.Choices) == 0 {
		return "", usage{}, fmt.Errorf("llm: %w: no answer", ErrInvalidAnswer)
	}
	if refusal := resp.Choices[0].Message.Refusal; refusal != "" {
		return "", usage{}, fmt.Errorf("llm: %w: %s", ErrRefused, refusal)
	}
	u := usage{model: resp.Model, prompt: resp.Usage.PromptTokens, completion: resp.Usage.CompletionTokens}
	if u.model == "" {
		u.model = model
	}
	if price, ok := pricesPerMillion[model]; ok {
		u.cost = (float64(u.prompt)*price[0] + float64(u.completion)*price[1]) / 1e6
	}
	return resp.Choices[0].Message.Content, u, nil
}
