package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/astralisops/astralis/internal/mail"
)

// devMailHandler shows the mail the product sent while running in development
// mode, so a person trying it can follow verification and reset links.
type devMailHandler struct {
	mailbox DevMailbox
}

type devMailCursor struct {
	BeforeSeq int64 `json:"b"`
}

func (h *devMailHandler) list(c *gin.Context) {
	var cursor devMailCursor
	limit, err := pageParams(c, &cursor)
	if err != nil {
		respondError(c, err)
		return
	}
	msgs, err := h.mailbox.List(c, cursor.BeforeSeq, limit+1)
	if err != nil {
		respondError(c, err)
		return
	}
	out := page[mail.Delivered]{Items: msgs}
	if len(msgs) > limit {
		out.Items = msgs[:limit]
		out.NextCursor = encodeCursor(devMailCursor{BeforeSeq: msgs[limit-1].Seq})
	}
	c.JSON(http.StatusOK, out)
}
