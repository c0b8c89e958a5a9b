;;; test.el --- End-to-end test of fineprint in Emacs with eglot, in batch mode.  -*- lexical-binding: t -*-
;; emacs --batch -Q -l test.el   (cwd: a copy of tests/e2e/fixtures/workspace; `fineprint' on PATH)
;; Exit status 0 = every check passed.

(dolist (d (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))  ; -Q skips Debian's site-start
  (add-to-list 'load-path d))
(require 'eglot)
(require 'flymake)

;; The configuration docs/editors/emacs.md gives.
(add-to-list 'eglot-server-programs
             '((python-mode python-ts-mode js-mode typescript-mode rust-mode go-mode yaml-mode
                toml-mode conf-toml-mode json-mode js-json-mode dockerfile-mode sh-mode makefile-mode
                markdown-mode)
               . ("fineprint" "lsp" :initializationOptions (:inlayHints t :logLevel "info"))))

(defvar fp-failures 0)
(defun fp-check (name ok &optional detail)
  (message "%s %s%s" (if ok "ok  " "FAIL") name (if detail (format ": %s" detail) ""))
  (unless ok (setq fp-failures (1+ fp-failures)))
  ok)

(defun fp-wait (pred seconds)
  "Process output until PRED is non-nil or SECONDS pass; PRED's value."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

(defun fp-finding (code)
  (seq-find (lambda (d) (string-match-p (regexp-quote code) (format "%s" (flymake-diagnostic-text d))))
            (flymake-diagnostics)))

(defun fp-run ()
  (find-file (expand-file-name "app.py"))
  (fp-check "python-mode" (eq major-mode 'python-mode) major-mode)
  ;; eglot-ensure only acts after a command; start the server directly.
  (apply #'eglot (eglot--guess-contact))
  (let ((server (fp-wait #'eglot-current-server 10)))
    (fp-check "eglot connected" server)
    (fp-check "server name" (equal (plist-get (eglot--server-info server) :name) "fineprint")
              (eglot--server-info server)))
  ;; Diagnostics (flymake).
  (let* ((d (fp-wait (lambda () (seq-find (lambda (d) (eq (flymake-diagnostic-type d) 'eglot-error))
                                          (flymake-diagnostics)))
                     15)))
    (fp-check "error diagnostic published" d (length (flymake-diagnostics)))
    (when d
      (let* ((beg (flymake-diagnostic-beg d)) (end (flymake-diagnostic-end d))
             (text (flymake-diagnostic-text d)))
        (fp-check "on line 6" (= (line-number-at-pos beg) 6) (line-number-at-pos beg))
        (fp-check "exactly on the id" (equal (buffer-substring-no-properties beg end) "black-forest-labs/FLUX.1-dev")
                  (buffer-substring-no-properties beg end))
        (fp-check "non-commercial message" (string-match-p "non-commercial only: FLUX.1 \\[dev\\] Non-Commercial License" text)
                  text))))
  ;; Hover.
  (let* ((pos (list :line 5 :character 45))
         (hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                 (list :textDocument (eglot--TextDocumentIdentifier) :position pos)
                                 :timeout 10))
         (contents (plist-get hover :contents))
         (value (if (stringp contents) contents (plist-get contents :value))))
    (fp-check "hover shows the license card"
              (and value (string-match-p (regexp-quote "FLUX.1 [dev] Non-Commercial License") value))
              (and value (length value)))
    ;; What eglot would render in eldoc.
    (let ((rendered (eglot--hover-info contents)))
      (fp-check "eglot renders the hover" (string-match-p "Non-Commercial" rendered))))
  ;; Code actions.
  (let* ((d (fp-finding "FLUX.1-dev"))
         (actions (jsonrpc-request (eglot-current-server) :textDocument/codeAction
                                   (list :textDocument (eglot--TextDocumentIdentifier)
                                         :range (list :start (list :line 5 :character 45) :end (list :line 5 :character 45))
                                         :context (list :diagnostics
                                                        (vconcat (and d (list (cdr (assoc 'eglot-lsp-diag (eglot--diag-data d)))))))) 
                                   :timeout 10))
         (titles (mapcar (lambda (a) (plist-get a :title)) actions)))
    (fp-check "code action: add a policy exception"
              (seq-find (lambda (x) (string-prefix-p "Add a policy exception for" x)) titles)
              (mapconcat #'identity titles " | "))))

(let ((ok (condition-case err (progn (fp-run) t)
            (error (message "error: %S" err) nil))))
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (message "%s" (if (and ok (= fp-failures 0)) "PASS" "FAIL"))
  (kill-emacs (if (and ok (= fp-failures 0)) 0 1)))
