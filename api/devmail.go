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

func (h *devMailHandler) list(c *gin.Context) {
	var cursor seqCursor
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
	c.JSON(http.StatusOK, seqPage(msgs, limit, func(m mail.Delivered) int64 { return m.Seq }))
}
