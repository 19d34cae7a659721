/* The otpauth URI for a person to scan: alone on a line, then (with qr) as
 * a QR code drawn with half blocks, two rows of modules per line of text.
 * Only lv-enroll calls this, so only it links libqrencode. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <qrencode.h>
#include <sodium.h>

#include "lv.h"

#define QUIET 4 /* the quiet zone ISO/IEC 18004 asks around the symbol */

/* Light modules are drawn, dark ones left blank: right on a dark
 * terminal; on a terminal, colours make it right on a light one too. */
static int
light(const QRcode *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 1;
	return !(q->data[y * q->width + x] & 1);
}

static void
draw(const QRcode *q)
{
	static const char *cell[] = { " ", "\u2584", "\u2580", "\u2588" };
	int tty = isatty(1), x, y;

	for (y = -QUIET; y < q->width + QUIET; y += 2) {
		if (tty)
			fputs("\033[40;97m", stdout);
		for (x = -QUIET; x < q->width + QUIET; x++)
			fputs(cell[light(q, x, y) << 1 | light(q, x, y + 1)], stdout);
		fputs(tty ? "\033[0m\n" : "\n", stdout);
	}
}

int
lv_totp_print_uri(const char *uri, int qr)
{
	QRcode *q;

	printf("%s\n", uri);
	if (!qr)
		return 0;
	errno = 0;
	if ((q = QRcode_encodeString(uri, 0, QR_ECLEVEL_L, QR_MODE_8, 1)) == NULL)
		return lv_err(EX_SOFTWARE, "cannot make the QR code%s", errno ? ":" : "");
	draw(q);
	sodium_memzero(q->data, (size_t)q->width * (size_t)q->width); /* it holds the secret */
	QRcode_free(q);
	return 0;
}
