// The print view of a backup code: the print stylesheet in site.css keeps the code alone.
const button = document.getElementById("print");
if (button) {
	button.addEventListener("click", () => window.print());
}
